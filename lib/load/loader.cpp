#include "load/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <pqxx/tablewriter>
#include <thread>

#include "db/connection.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka {

namespace {
constexpr int idle_poll_ms = 100;  // how often an idle loader looks at the stop flag
constexpr size_t poll_chunk = 2048;

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// SQLSTATE classes that are the data's fault, not the server's: 22 data exception, 23 integrity.
bool is_data_error(const std::string& sqlstate) {
    return sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("23", 0) == 0;
}
}  // namespace

void Loader::Batch::clear() {
    rows.clear();
    ranges.clear();
    messages = 0;
}

Loader::Loader(const Config& cfg, const LoadOptions& options, const LoadStatements& statements, int id,
               const kafka::Offsets& end_offsets, LoadCounters& counters, const std::atomic<bool>& stop)
    : cfg_(cfg),
      options_(options),
      statements_(statements),
      id_(id),
      counters_(counters),
      stop_(stop),
      store_(cfg),
      encoder_(cfg, !statements.direct) {
    for (const auto& [p, end] : end_offsets) {
        partitions_[p].end = end;
        partition_ids_.push_back(p);
    }
    polled_.resize(poll_chunk);
}

Loader::~Loader() {
    if (queue_) rd_kafka_queue_destroy(queue_);
    if (consumer_) rd_kafka_consumer_close(consumer_.get());
}

void Loader::connect() {
    conn_ = db::connect(cfg_.db, fmt::format("dgkafka load {}", id_));
    if (!statements_.direct) {
        pqxx::nontransaction tx(*conn_);
        tx.exec0(statements_.stage_create);
    }
    // Offsets are the database's business: Kafka's committed offset is only a mirror for its tools.
    auto conf = kafka::make_conf(cfg_.brokers,
                                 {{"group.id", cfg_.consumer_group},
                                  {"client.id", fmt::format("dgkafka-{}", id_)},
                                  {"enable.auto.commit", "false"},
                                  {"enable.auto.offset.store", "false"},
                                  {"enable.partition.eof", "true"},
                                  {"auto.offset.reset", "earliest"},
                                  {"queued.max.messages.kbytes", "16384"}},
                                 cfg_.kafka_properties);
    consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf));
    queue_ = rd_kafka_queue_get_consumer(consumer_.get());
    {
        pqxx::read_transaction tx(*conn_);
        resync(tx);
    }
}

// Takes the stored offsets as the truth and moves the consumer there.
void Loader::resync(pqxx::transaction_base& tx) {
    const auto stored = store_.read(tx, partition_ids_, false);
    kafka::Offsets start;
    for (auto& [p, part] : partitions_) {
        const auto it = stored.find(p);
        if (it == stored.end())
            throw Error(Exit::failure, fmt::format("{} partition {}: no stored offset", cfg_.topic, p));
        part.stored = part.position = it->second;
        start[p] = it->second;
    }
    auto list = kafka::make_list(cfg_.topic, start);
    if (const auto err = rd_kafka_assign(consumer_.get(), list.get()))
        throw Error(Exit::kafka, fmt::format("cannot assign {} partitions: {}", cfg_.topic, kafka::error_text(err)));
}

// Called between batches, when everything consumed is committed. Position, not the stored
// offset: a partition may end in offsets that carry no message (transaction markers).
bool Loader::finished() const {
    if (!options_.quit_at_eof) return false;
    return std::all_of(partitions_.begin(), partitions_.end(),
                       [](const auto& kv) { return kv.second.position >= kv.second.end; });
}

bool Loader::should_stop() const { return stop_.load(std::memory_order_relaxed); }

void Loader::run() {
    connect();
    Batch batch;
    while (!should_stop() && !finished()) {
        batch.clear();
        fill(batch);
        if (batch.ranges.empty()) continue;
        commit(batch);
    }
}

void Loader::fill(Batch& batch) {
    const auto interval = std::chrono::duration<double>(cfg_.minimal_interval);
    while (batch.messages < cfg_.max_row && !should_stop()) {
        const bool empty = batch.ranges.empty();
        int timeout_ms = idle_poll_ms;
        if (!empty) {
            if (cfg_.minimal_interval < 0) {
                timeout_ms = 0;
            } else {
                const auto left = interval - (std::chrono::steady_clock::now() - batch.opened);
                timeout_ms = std::max(0, static_cast<int>(std::chrono::duration<double, std::milli>(left).count()));
            }
        }
        const size_t want = std::min<size_t>(poll_chunk, static_cast<size_t>(cfg_.max_row - batch.messages));
        const ssize_t n = rd_kafka_consume_batch_queue(queue_, timeout_ms, polled_.data(), want);
        if (n < 0)
            throw Error(Exit::kafka, fmt::format("{}: cannot consume: {}", cfg_.topic,
                                                 kafka::error_text(rd_kafka_last_error())));
        ssize_t i = 0;
        try {
            for (; i < n; ++i) {
                add(polled_[i], batch);
                rd_kafka_message_destroy(polled_[i]);
            }
        } catch (...) {
            for (; i < n; ++i) rd_kafka_message_destroy(polled_[i]);  // the consumer cannot close while one lives
            throw;
        }
        if (batch.ranges.empty()) {
            if (finished()) return;
            continue;
        }
        if (n == 0 && cfg_.minimal_interval < 0) return;  // queue drained: the spec's -1
        if (cfg_.minimal_interval >= 0 && std::chrono::steady_clock::now() - batch.opened >= interval) return;
    }
}

void Loader::add(const rd_kafka_message_t* m, Batch& batch) {
    auto part = partitions_.find(m->partition);
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (part != partitions_.end()) part->second.position = std::max(part->second.position, m->offset);
            return;
        }
        const std::string what = fmt::format("{} partition {}: {}", cfg_.topic, m->partition,
                                             kafka::error_text(m->err));
        if (m->err == RD_KAFKA_RESP_ERR__FATAL || m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
            throw Error(Exit::kafka, what);
        log::warn("{}", what);
        return;
    }
    if (part == partitions_.end() || m->offset < part->second.position) return;  // stale after a re-seek

    if (batch.ranges.empty()) {
        batch.opened = std::chrono::steady_clock::now();
        batch.opened_epoch = epoch_now();
    }
    Message msg;
    msg.value = {static_cast<const char*>(m->payload), m->payload ? m->len : 0};
    msg.has_key = m->key != nullptr;
    msg.key = {static_cast<const char*>(m->key), m->key ? m->key_len : 0};
    msg.partition = m->partition;
    msg.offset = m->offset;
    rd_kafka_timestamp_type_t ts_type;
    msg.timestamp_ms = rd_kafka_message_timestamp(m, &ts_type);
    std::string reason;
    if (!encoder_.append(msg, batch.rows, reason))
        throw Error(Exit::data, fmt::format("topic {} partition {} offset {}: {}", cfg_.topic, m->partition,
                                            m->offset, reason));

    auto [range, first] = batch.ranges.try_emplace(m->partition);
    if (first) {
        range->second.partition = m->partition;
        range->second.start = part->second.stored;
    }
    range->second.end = m->offset + 1;
    ++range->second.count;
    ++batch.messages;
    part->second.position = m->offset + 1;
}

std::string Loader::describe(const Batch& batch) const {
    std::string out;
    for (const auto& [p, r] : batch.ranges)
        out += fmt::format("{}{}[{}] offsets {}..{}", out.empty() ? "" : ", ", cfg_.topic, p, r.start, r.end - 1);
    return out;
}

void Loader::write_rows(pqxx::work& tx, Batch& batch) {
    // tablewriter is libpqxx 6.4's only public way to send pre-encoded COPY text in bulk.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablewriter writer(tx, statements_.copy_table, statements_.copy_columns.begin(),
                             statements_.copy_columns.end());
    batch.rows.pop_back();  // write_raw_line adds the last newline itself
    writer.write_raw_line(batch.rows);
    writer.complete();
#pragma GCC diagnostic pop
    int64_t rows = batch.messages;
    if (!statements_.direct) rows = static_cast<int64_t>(tx.exec0(statements_.stage_insert).affected_rows());
    counters_.rows += rows;
}

bool Loader::commit(Batch& batch) {
    std::vector<int32_t> ids;
    for (auto& [p, r] : batch.ranges) {
        ids.push_back(p);
        int64_t low = 0;
        int64_t high = -1;
        if (rd_kafka_get_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), p, &low, &high) == 0)
            r.latest = high;
    }
    try {
        pqxx::work tx(*conn_);
        const auto locked = store_.read(tx, ids, true);
        for (const auto& [p, r] : batch.ranges) {
            const auto it = locked.find(p);
            if (it == locked.end() || it->second != r.start) {
                log::warn("{} partition {}: stored offset is {} but this loader started at {}: another loader "
                          "moved it; dropping this batch and resuming from the stored offset",
                          cfg_.topic, p, it == locked.end() ? -1 : it->second, r.start);
                tx.abort();
                pqxx::read_transaction again(*conn_);
                resync(again);
                return false;
            }
        }
        write_rows(tx, batch);
        std::vector<db::PartitionRange> ranges;
        for (const auto& [p, r] : batch.ranges) ranges.push_back(r);
        store_.record(tx, ranges, "load", batch.opened_epoch);
        tx.commit();
    } catch (const pqxx::sql_error& e) {
        const auto code = is_data_error(e.sqlstate()) ? Exit::data : Exit::database;
        throw Error(code, fmt::format("{}: {}", describe(batch), db::describe(e)));
    } catch (const pqxx::broken_connection& e) {
        throw Error(Exit::database, fmt::format("{}: lost the database connection: {}", describe(batch), e.what()));
    }

    kafka::Offsets next;
    int64_t lag = 0;
    for (const auto& [p, r] : batch.ranges) {
        partitions_[p].stored = r.end;
        next[p] = r.end;
    }
    for (const auto& [p, part] : partitions_) {
        int64_t low = 0, high = -1;
        if (rd_kafka_get_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), p, &low, &high) == 0 && high > part.stored)
            lag += high - part.stored;
    }
    counters_.messages += batch.messages;
    counters_.batches += 1;
    lag_ = lag;
    // Mirror to the consumer group so Kafka's own tools show the lag; the database stays the truth.
    auto list = kafka::make_list(cfg_.topic, next);
    rd_kafka_commit(consumer_.get(), list.get(), 1);
    log::debug("loader {}: committed {} ({} messages)", id_, describe(batch), batch.messages);
    return true;
}

}  // namespace dgkafka
