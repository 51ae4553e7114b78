#include "load/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "avro/registry.hpp"
#include "db/connection.hpp"
#include "kafka/group_offsets.hpp"
#include "kafka/retention.hpp"
#include "load/gaps.hpp"
#include "util/backoff.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka {

namespace {
constexpr int idle_poll_ms = 100;  // how often an idle loader looks at the stop flag
constexpr size_t poll_chunk = 2048;
// Per process, shared by its loaders. With librdkafka's fetching kept awake (kafka::FetchWaker),
// the queues only have to cover a fetch's round trip: scripts/bench.sh loads as fast with a
// quarter of this as with four times it (and peaks at ~100 MB instead of ~140 MB).
constexpr int prefetch_messages = 100000;
constexpr int prefetch_kbytes = 24576;

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The database is unreachable or restarting: retried with backoff, never the data's fault.
struct DatabaseUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Another loader moved this loader's offsets: its batch is dropped, the stored offsets win.
struct Fenced : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs one database step, turning connection-class failures into DatabaseUnavailable and the
// other errors into Error(database). `context()` names what was being done; called on failure only.
template <typename C, typename F>
void database_step(C&& context, F&& step) {
    try {
        step();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnavailable(fmt::format("{}: lost the database connection: {}", context(), text::trim(e.what())));
    } catch (const pqxx::in_doubt_error& e) {
        // The commit's outcome is unknown; the stored offsets will tell after reconnecting.
        throw DatabaseUnavailable(fmt::format("{}: {}", context(), text::trim(e.what())));
    } catch (const pqxx::sql_error& e) {
        if (db::is_transient(e.sqlstate())) throw DatabaseUnavailable(fmt::format("{}: {}", context(), db::describe(e)));
        throw Error(Exit::database, fmt::format("{}: {}", context(), db::describe(e)));
    } catch (const Unavailable& e) {  // a refusal for good (authentication) stops the load
        if (e.code() == Exit::database) throw DatabaseUnavailable(e.what());
        throw;
    }
}
}  // namespace

Loader::Loader(const Config& cfg, const LoadOptions& options, const LoadStatements& statements, int id,
               int loader_count, const kafka::Offsets& end_offsets, LoadCounters& counters, kafka::OffsetMirror& mirror,
               const std::atomic<bool>& stop)
    : cfg_(cfg),
      options_(options),
      statements_(statements),
      id_(id),
      loader_count_(loader_count),
      counters_(counters),
      mirror_(mirror),
      stop_(stop),
      store_(cfg),
      encoder_(cfg, !statements.direct, statements.json_members, statements.json_document),
      writer_(cfg, statements) {
    ends_ = end_offsets;
    if (!cfg_.group_assignment)
        for (const auto& [p, end] : end_offsets) partitions_[p].end = end;
    polled_.resize(poll_chunk);
}

Loader::~Loader() {
    end_transaction();
    waker_.reset();
    if (queue_) rd_kafka_queue_destroy(queue_);
    // No consumer_close(): there is no group membership to leave (partitions are assigned, not
    // subscribed) and no commit pending (the OffsetMirror commits), so this never waits on brokers.
    if (consumer_) rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

kafka::Offsets Loader::stored_offsets() const {
    kafka::Offsets out;
    if (!synced_ || cfg_.group_assignment) return out;  // unknown, or mirrored by the member itself
    for (const auto& [p, part] : partitions_) out[p] = part.stored;
    return out;
}

// (Re)connects and takes the stored offsets as the truth: after a lost connection, whatever
// the last commit did is what the offsets say.
void Loader::connect_database() {
    database_step([&] { return name(); }, [&] {
        conn_ = db::connect(cfg_.db, fmt::format("dgkafka load {}", id_));
        {
            pqxx::nontransaction tx(*conn_);
            // Longer than a batch may legitimately wait for messages (minimal_interval).
            const int idle_s = std::max(60, static_cast<int>(2 * cfg_.minimal_interval) + 30);
            tx.exec_params(statements_.session_setup, std::to_string(idle_s) + "s");
            if (!statements_.direct) tx.exec0(statements_.stage_create);
        }
    });
    resync_from_database();
    last_data_ = std::chrono::steady_clock::now();
}

std::string Loader::name() const { return fmt::format("loader {}", id_); }

// Takes the stored offsets as the truth and moves the consumer there.
void Loader::resync_from_database(bool reassign) {
    kafka::Offsets stored;
    database_step([&] { return name(); }, [&] {
        pqxx::read_transaction tx(*conn_);
        stored = store_.read(tx, owned(), false);
    });
    // Moving forward needs no new assignment: messages below the stored offsets are skipped as
    // they arrive. (Re-assigning in quick succession, as a fenced loader would, can trip an
    // assertion in librdkafka's assignment code: confluentinc/librdkafka#5573.) "Forward" is
    // measured from what librdkafka has handed out (rd_kafka_position), not from what the batch
    // took in: messages polled but dropped with a failed batch lie behind it. Not assigned yet,
    // or no position: the offset stays invalid, which counts as backward.
    kafka::Offsets handed_out;
    for (const auto& [p, part] : partitions_) handed_out[p] = RD_KAFKA_OFFSET_INVALID;
    auto positions = kafka::make_list(cfg_.topic, handed_out);
    if (assigned_) rd_kafka_position(consumer_.get(), positions.get());
    bool backward = false;
    for (int i = 0; i < positions->cnt; ++i) {
        const auto& e = positions->elems[i];
        const auto it = stored.find(e.partition);
        if (it == stored.end())
            throw Error(Exit::failure, fmt::format("{} partition {}: no stored offset", cfg_.topic, e.partition));
        backward |= e.offset < 0 || it->second < e.offset;
        auto& part = partitions_[e.partition];
        part.stored = part.position = it->second;
    }
    synced_ = true;
    if (!backward && !reassign) return;
    auto list = kafka::make_list(cfg_.topic, stored);
    if (const auto err = rd_kafka_assign(consumer_.get(), list.get()))
        throw Error(Exit::kafka, fmt::format("cannot assign {} partitions: {}", cfg_.topic, kafka::error_text(err)));
    assigned_ = true;
}

std::vector<int32_t> Loader::owned() const {
    std::vector<int32_t> ids;
    for (const auto& [p, part] : partitions_) ids.push_back(p);
    return ids;
}

// Every partition consumed up to the end offset it had when this load began.
bool Loader::reached_ends() const {
    for (const auto& [p, part] : partitions_)
        if (part.position < part.end) return false;
    return true;
}

// Called between batches, when everything consumed is committed. Position, not the stored
// offset: a partition may end in offsets that carry no message (transaction markers).
bool Loader::finished() {
    if (!options_.quit_at_eof || !reached_ends()) return false;
    return !cfg_.group_assignment || all_done_in_database();
}

// Group assignment: partitions move between processes, so a process is done when the database
// shows every partition of the topic at the end offset it had when this load began.
bool Loader::all_done_in_database() {
    std::vector<int32_t> all;
    for (const auto& [p, end] : ends_) all.push_back(p);
    bool done = true;
    database_step([&] { return name(); }, [&] {
        pqxx::read_transaction tx(*conn_);
        const auto stored = store_.read(tx, all, false);
        for (const auto& [p, end] : ends_) {
            const auto it = stored.find(p);
            if (it == stored.end() || it->second < end) done = false;
        }
    });
    return done;
}

void Loader::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    static_cast<Loader*>(opaque)->rebalance(err, parts);
}

// Eager rebalancing: every rebalance revokes the whole assignment, then assigns the new one.
void Loader::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        // Revoked: the batch in flight may hold messages of partitions going to another loader.
        end_transaction();
        batch_dropped_ = true;
        partitions_.clear();
        rd_kafka_assign(consumer_.get(), nullptr);
        assigned_ = false;
        log::debug("loader {}: partitions revoked", id_);
        return;
    }
    partitions_.clear();
    assigned_ = false;  // a new set of partitions
    for (int i = 0; i < parts->cnt; ++i) {
        const int32_t p = parts->elems[i].partition;
        const auto end = ends_.find(p);
        partitions_[p].end = end == ends_.end() ? 0 : end->second;
    }
    log::debug("loader {}: assigned {} partition(s)", id_, partitions_.size());
    try {
        resync_from_database();  // start where the database says, never at Kafka's committed offset
    } catch (...) {
        // Consume from Kafka's committed offsets meanwhile; the fence refuses any batch until the
        // database is read again after reconnecting.
        synced_ = false;
        for (auto& [p, part] : partitions_) part.stored = part.position = -1;
        rd_kafka_assign(consumer_.get(), parts);
        rebalance_error_ = std::current_exception();
    }
}

bool Loader::should_stop() const { return stop_.load(std::memory_order_relaxed); }

void Loader::run() {
    // Offsets are the database's business: Kafka's committed offset is only a mirror for its tools.
    // The process's prefetch budget is shared by its loaders, so memory stays bounded whatever
    // the topic size and the loader count: librdkafka keeps up to queued.min.messages (and at
    // most queued.max.messages.kbytes) fetched ahead per consumer.
    const int loaders = std::max(1, loader_count_);
    kafka::Properties defaults = {{"group.id", cfg_.consumer_group},
                                  {"client.id", fmt::format("dgkafka-{}", id_)},
                                  {"enable.auto.commit", "false"},
                                  {"enable.auto.offset.store", "false"},
                                  {"enable.partition.eof", "true"},
                                  {"auto.offset.reset", "earliest"},
                                  {"fetch.wait.max.ms", "100"},  // streaming latency; Kafka's default is 500
                                  {"queued.min.messages", std::to_string(std::max(10000, prefetch_messages / loaders))},
                                  {"queued.max.messages.kbytes", std::to_string(std::max(4096, prefetch_kbytes / loaders))}};
    for (auto& p : kafka::fetch_backoff_defaults()) defaults.push_back(std::move(p));
    // Retention passing a loader surfaces as an error (settle_gap), never as a silent jump.
    auto user = cfg_.kafka_properties;
    user.emplace_back("auto.offset.reset", "error");
    auto conf = kafka::make_conf(cfg_.brokers, defaults, user);
    if (cfg_.group_assignment) {
        rd_kafka_conf_set_rebalance_cb(conf.get(), on_rebalance);
        rd_kafka_conf_set_opaque(conf.get(), this);
    }
    consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf));
    queue_ = rd_kafka_queue_get_consumer(consumer_.get());
    kafka::warm_metadata(consumer_.get());
    if (kafka::needs_fetch_waker()) waker_ = std::make_unique<kafka::FetchWaker>(consumer_.get());

    Batch batch(cfg_.consumer_group, cfg_.topic);
    Backoff backoff(options_.quit_at_eof ? cfg_.retry_timeout : 0);
    bool resync_needed = false;
    while (!should_stop()) {
        try {
            if (!conn_) {
                connect_database();
                if (cfg_.group_assignment && !subscribed_) {
                    auto topics = kafka::make_list(cfg_.topic, {{RD_KAFKA_PARTITION_UA, 0}});
                    if (const auto err = rd_kafka_subscribe(consumer_.get(), topics.get()))
                        throw Error(Exit::kafka, fmt::format("cannot join consumer group {}: {}", cfg_.consumer_group,
                                                             kafka::error_text(err)));
                    subscribed_ = true;
                }
            } else if (resync_needed) {
                resync_from_database();
            }
            resync_needed = false;
            if (finished()) break;
            batch.clear();
            fill(batch);
            if (!batch.empty()) commit(batch);
            if (gap_) settle_gap(*std::exchange(gap_, std::nullopt));
            backoff.success();
        } catch (const Fenced& e) {
            end_transaction();
            batch.clear();
            gap_.reset();  // the resync re-assigns: a real gap shows again
            log::warn("{}", e.what());
            resync_needed = true;
        } catch (const avro::RegistryUnavailable& e) {  // like unreachable brokers: wait, reject nothing
            end_transaction();
            batch.clear();
            log::warn("{}; retrying", e.what());
            if (!backoff.wait(stop_))
                throw Error(Exit::kafka, fmt::format("gave up after {:.0f} s (kafka.commit.retry_timeout): {}",
                                                     backoff.failing_for(), e.what()));
            resync_needed = true;
        } catch (const DatabaseUnavailable& e) {
            end_transaction();
            conn_.reset();
            batch.clear();
            gap_.reset();
            ++counters_.database_retries;
            log::warn("{}; retrying", e.what());
            if (!backoff.wait(stop_))
                throw Error(Exit::database, fmt::format("gave up after {:.0f} s (kafka.commit.retry_timeout): {}",
                                                        backoff.failing_for(), e.what()));
        }
    }
    // Leaving the group at once lets the other processes take the partitions over now rather than
    // after session.timeout.ms. (Skipped on errors: closing waits on the brokers.)
    if (subscribed_) {
        end_transaction();
        rd_kafka_consumer_close(consumer_.get());
    }
}

void Loader::begin_transaction() { tx_ = std::make_unique<pqxx::work>(*conn_); }

// Locks this loader's offset rows: a batch commits only while the stored offsets are still the
// ones this loader holds, so a loader that lost a partition to another process can never load it
// twice. Taken at commit time, after the COPY: a loader paused while its COPY streams (SIGSTOP,
// a frozen VM) holds no lock that another loader would wait for.
void Loader::lock_offsets() {
    const auto locked = store_.read(*tx_, owned(), true);
    for (const auto& [p, part] : partitions_) {
        const auto it = locked.find(p);
        if (it == locked.end() || it->second != part.stored)
            throw Fenced(fmt::format("{} partition {}: stored offset is {} but this loader is at {}: another loader "
                                     "moved it; dropping this batch and resuming from the stored offset",
                                     cfg_.topic, p, it == locked.end() ? -1 : it->second, part.stored));
    }
}

void Loader::end_transaction() {
    writer_.abandon();
    tx_.reset();  // rolls back unless committed
}

void Loader::fill(Batch& batch) {
    const auto interval = std::chrono::duration<double>(cfg_.minimal_interval);
    const auto stall_limit = std::chrono::duration<double>(cfg_.retry_timeout);
    while (batch.size() < static_cast<size_t>(cfg_.max_row) && !should_stop()) {
        // Never longer than idle_poll_ms: a stop signal commits the batch at once, whatever the interval.
        int timeout_ms = idle_poll_ms;
        if (!batch.empty()) {
            if (cfg_.minimal_interval < 0) {
                timeout_ms = 0;
            } else {
                const auto left = interval - (std::chrono::steady_clock::now() - batch.opened);
                timeout_ms = std::clamp(static_cast<int>(std::chrono::duration<double, std::milli>(left).count()), 0,
                                        idle_poll_ms);
            }
        }
        const size_t want = std::min(poll_chunk, static_cast<size_t>(cfg_.max_row) - batch.size());
        const ssize_t n = rd_kafka_consume_batch_queue(queue_, timeout_ms, polled_.data(), want);
        if (n < 0)
            throw Error(Exit::kafka, fmt::format("{}: cannot consume: {}", cfg_.topic,
                                                 kafka::error_text(rd_kafka_last_error())));
        if (batch_dropped_) {  // a rebalance during the poll rolled the batch back
            batch_dropped_ = false;
            batch.clear();
        }
        if (rebalance_error_) {
            for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(polled_[i]);
            std::rethrow_exception(std::exchange(rebalance_error_, nullptr));
        }
        ssize_t i = 0;
        bool data = false;
        size_t bytes = 0;
        try {
            for (; i < n; ++i) {
                data |= add(polled_[i], batch);
                bytes += polled_[i]->len;
                rd_kafka_message_destroy(polled_[i]);
            }
        } catch (...) {
            for (; i < n; ++i) rd_kafka_message_destroy(polled_[i]);  // none may outlive the consumer
            throw;
        }
        if (data) last_data_ = std::chrono::steady_clock::now();
        if (gap_) return;  // commit what lies before the gap, then settle it
        if (waker_) waker_->consumed(static_cast<size_t>(n), bytes);
        if (tx_) database_step([&] { return describe(batch); }, [&] { writer_.send(batch); });
        if (batch.empty()) {
            if (finished()) return;
            if (options_.quit_at_eof && std::chrono::steady_clock::now() - last_data_ > stall_limit)
                throw Error(Exit::kafka, fmt::format("topic {}: nothing received for {:.0f} s (kafka.commit.retry_timeout) "
                                                     "before the end offsets: are the brokers {} reachable?",
                                                     cfg_.topic, cfg_.retry_timeout, cfg_.brokers));
            continue;
        }
        if (n == 0 && cfg_.minimal_interval < 0) return;  // queue drained: the spec's -1
        if (options_.quit_at_eof && reached_ends()) return;  // nothing more will come for this run
        if (cfg_.minimal_interval >= 0 && std::chrono::steady_clock::now() - batch.opened >= interval) return;
    }
}

bool Loader::add(const rd_kafka_message_t* m, Batch& batch) {
    auto part = partitions_.find(m->partition);
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (part != partitions_.end()) part->second.position = std::max(part->second.position, m->offset);
            return true;
        }
        if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
            // Not synced: a rebalance assigned Kafka's offsets meanwhile; the resync re-assigns.
            if (synced_ && part != partitions_.end()) gap_ = m->partition;
            return false;
        }
        const std::string what = fmt::format("{} partition {}: {}", cfg_.topic, m->partition, kafka::error_text(m->err));
        if (m->err == RD_KAFKA_RESP_ERR__FATAL || m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
            throw Error(Exit::kafka, what);
        ++counters_.kafka_retries;  // librdkafka retries it
        log::warn("{}", what);
        return false;
    }
    if (part == partitions_.end() || m->offset < part->second.position) return false;  // stale after a re-seek

    if (batch.empty()) {
        batch.opened = std::chrono::steady_clock::now();
        batch.opened_epoch = epoch_now();
        database_step([&] { return name(); }, [&] {
            begin_transaction();
            writer_.begin(*tx_);
        });
    }
    Message msg;
    msg.value = {static_cast<const char*>(m->payload), m->payload ? m->len : 0};
    msg.has_key = m->key != nullptr;
    msg.key = {static_cast<const char*>(m->key), m->key ? m->key_len : 0};
    msg.partition = m->partition;
    msg.offset = m->offset;
    rd_kafka_timestamp_type_t ts_type;
    msg.timestamp_ms = rd_kafka_message_timestamp(m, &ts_type);
    rd_kafka_headers_t* headers = nullptr;
    if (encoder_.reads_headers() && rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) msg.headers = headers;
    const uint32_t index = batch.keep(msg);
    const size_t start = batch.rows.size();
    std::string reason;
    if (encoder_.append(msg, batch.rows, reason)) {
        batch.row_start.push_back(start);
        batch.row_message.push_back(index);
    } else {
        batch.rejects.add(msg, reason, "");
    }

    auto [range, first] = batch.ranges.try_emplace(m->partition);
    if (first) {
        range->second.partition = m->partition;
        range->second.start = part->second.stored;
    }
    range->second.end = m->offset + 1;
    ++range->second.count;
    part->second.position = m->offset + 1;
    return true;
}

// The next offset of a partition is out of range: everything before it is committed. Stops
// (exit 9), or with on_data_loss = "skip" records the gap and resumes at the log start.
void Loader::settle_gap(int32_t partition) {
    kafka::Watermarks marks;
    if (const auto err = rd_kafka_query_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &marks.low,
                                                          &marks.high, kafka::metadata_timeout_ms))
        throw Error(Exit::kafka, fmt::format("topic {} partition {}: offset out of range, and cannot read its offsets: {}",
                                             cfg_.topic, partition, kafka::error_text(err)));
    const auto stored = partitions_.at(partition).stored;
    const auto gap = kafka::retention_gap(partition, stored, marks);
    if (!gap)
        throw Error(Exit::data_loss, fmt::format("topic {} partition {}: stored offset {} is out of range: the partition "
                                                 "holds offsets {}..{} (was the topic deleted and created again?)",
                                                 cfg_.topic, partition, stored, marks.low, marks.high));
    if (cfg_.on_data_loss == Config::OnDataLoss::stop) kafka::throw_data_loss(cfg_.topic, {*gap});
    database_step([&] { return name(); }, [&] {
        begin_transaction();
        lock_offsets();
        skip_gaps(store_, *tx_, cfg_.topic, {*gap});
        tx_->commit();
    });
    end_transaction();
    resync_from_database(true);
}

std::string Loader::describe(const Batch& batch) const {
    std::string out;
    for (const auto& [p, r] : batch.ranges)
        out += fmt::format("{}{}[{}] offsets {}..{}", out.empty() ? "" : ", ", cfg_.topic, p, r.start, r.end - 1);
    return out;
}

// The batch for JSON log lines: topic, and partition and offsets when it holds one partition.
log::Fields Loader::log_fields(const Batch& batch) const {
    auto fields = log::Fields{}.add("topic", cfg_.topic).add("messages", static_cast<long long>(batch.size()));
    if (batch.ranges.size() == 1) {
        const auto& [p, r] = *batch.ranges.begin();
        fields.add("partition", p).add("first_offset", r.start).add("last_offset", r.end - 1);
    }
    return fields;
}

void Loader::check_error_limit(const Batch& batch) const {
    const size_t rejected = batch.rejects.count();
    if (!rejected) return;
    if (cfg_.error_limit_count && counters_.rejected + static_cast<int64_t>(rejected) > *cfg_.error_limit_count)
        throw Error(Exit::data, fmt::format("{}: kafka.output.error_limit of {} rejected messages exceeded ({} in this "
                                            "run); the batch was rolled back: none of its rows, rejects or offsets were written; last error: {}",
                                            describe(batch), *cfg_.error_limit_count, counters_.rejected + rejected,
                                            batch.rejects.last_error()));
    const double percent = 100.0 * static_cast<double>(rejected) / static_cast<double>(batch.size());
    if (cfg_.error_limit_percent && percent > *cfg_.error_limit_percent)
        throw Error(Exit::data, fmt::format("{}: {} of {} messages rejected ({:.1f}%), over kafka.output.error_limit "
                                            "of {}%; the batch was rolled back: none of its rows, rejects or offsets were written; last error: {}",
                                            describe(batch), rejected, batch.size(), percent,
                                            *cfg_.error_limit_percent, batch.rejects.last_error()));
}

// The partition's end offset as librdkafka last saw it (no request), or -1.
int64_t Loader::known_end(int32_t partition) const {
    int64_t low = 0, high = -1;
    return rd_kafka_get_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &low, &high) == 0 ? high : -1;
}

void Loader::commit(Batch& batch) {
    std::vector<db::PartitionRange> ranges;
    for (auto& [p, r] : batch.ranges) {
        r.latest = known_end(p);
        ranges.push_back(r);
    }
    int64_t inserted = 0;
    database_step([&] { return describe(batch); }, [&] {
        std::optional<int64_t> streamed;
        if (writer_.end_copy(batch)) {
            lock_offsets();
            streamed = writer_.finish(*tx_, batch);
        }
        if (streamed) {
            inserted = *streamed;
        } else {  // the database refused a row: again in a new transaction, isolating the refused rows
            end_transaction();
            begin_transaction();
            lock_offsets();
            const auto written = writer_.write(*tx_, batch);
            if (written.verdict == BatchWriter::Written::Verdict::job_at_fault)
                throw Error(Exit::data, fmt::format("{}: the database refused every row tried (the batch of {} rows "
                                                    "as a whole, and {} single rows spread across it), so the job, not "
                                                    "the data, is wrong (check the mappings and the output table); "
                                                    "nothing was committed; the error: {}",
                                                    describe(batch), batch.row_start.size(), BatchWriter::systemic_sample,
                                                    written.error));
            inserted = written.inserted;
        }
        check_error_limit(batch);
        store_.record(*tx_, ranges, "load", batch.opened_epoch);
        tx_->commit();
    });
    end_transaction();

    kafka::Offsets next;
    int64_t lag = 0;
    for (const auto& [p, r] : batch.ranges) {
        partitions_[p].stored = r.end;
        next[p] = r.end;
    }
    for (const auto& [p, part] : partitions_) lag += std::max<int64_t>(0, known_end(p) - part.stored);
    lag_ = lag;
    counters_.messages += static_cast<int64_t>(batch.size());
    counters_.rows += inserted;
    counters_.rejected += static_cast<int64_t>(batch.rejects.count());
    counters_.batches += 1;
    counters_.committed(batch.ranges, std::chrono::duration<double>(std::chrono::steady_clock::now() - batch.opened).count());
    if (batch.rejects.count())
        log::warn(log_fields(batch), "{}: {} message(s) rejected into {}, the last: {}", describe(batch), batch.rejects.count(),
                  cfg_.reject_table.display(), batch.rejects.last_error());
    if (cfg_.group_assignment) {
        // Only a member may commit for an active group; the OffsetMirror is not one.
        auto list = kafka::make_list(cfg_.topic, next);
        kafka::mark(list.get(), kafka::commit_mark(cfg_.output_table.display()));
        rd_kafka_commit(consumer_.get(), list.get(), 1);
    } else {
        mirror_.commit(next);
    }
    if (log::enabled(log::Level::debug))
        log::debug(log_fields(batch), "{}: committed {} ({} messages)", name(), describe(batch), batch.size());
}

}  // namespace dgkafka
