#include "load/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "avro/registry.hpp"
#include "kafka/group_offsets.hpp"
#include "kafka/retention.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka {

namespace {
constexpr int idle_poll_ms = 100;  // how often an idle loader looks at the stop flag
constexpr size_t poll_chunk = 2048;
constexpr size_t first_poll = 1;  // messages of unknown size: the next polls are sized by it
// Per process, shared by its loaders. With librdkafka's fetching kept awake (kafka::FetchWaker),
// the queues only have to cover a fetch's round trip: scripts/bench.sh loads as fast with a
// quarter of this as with four times it (and peaks at ~100 MB instead of ~140 MB).
constexpr int prefetch_messages = 100000;
constexpr int prefetch_kbytes = 24576;
// What a process's open batches may hold (message bytes and their COPY rows), shared by its
// loaders: a batch closes at max_row or at its share, so large messages cannot multiply memory.
constexpr size_t batch_budget_bytes = size_t{16} << 20;
constexpr size_t min_batch_bytes = size_t{4} << 20;

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Loader::Loader(const Config& cfg, const LoadOptions& options, const LoadStatements& statements, int id,
               int loader_count, const kafka::Offsets& end_offsets, LoadCounters& counters, kafka::OffsetMirror& mirror,
               const std::atomic<bool>& stop)
    : cfg_(cfg),
      options_(options),
      id_(id),
      loader_count_(loader_count),
      counters_(counters),
      mirror_(mirror),
      stop_(stop),
      feed_(cfg.group_assignment ? Feed::unassigned : Feed::awaiting_offsets),
      ends_(end_offsets),
      encoder_(cfg, !statements.direct, statements.json_members, statements.json_document),
      txn_(cfg, statements, id) {
    if (!cfg_.group_assignment)
        for (const auto& [p, end] : end_offsets) partitions_[p].end = end;
    polled_.resize(poll_chunk);
}

Loader::~Loader() {
    txn_.rollback();
    waker_.reset();
    if (queue_) rd_kafka_queue_destroy(queue_);
    // No consumer_close(): there is no group membership to leave (partitions are assigned, not
    // subscribed) and no commit pending (the OffsetMirror commits), so this never waits on brokers.
    if (consumer_) rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

kafka::Offsets Loader::stored_offsets() const {
    if (feed_ == Feed::awaiting_offsets || cfg_.group_assignment) return {};  // unknown, or mirrored by the member
    return expected();
}

kafka::Offsets Loader::expected() const {
    kafka::Offsets out;
    for (const auto& [p, part] : partitions_) out[p] = part.stored;
    return out;
}

std::vector<int32_t> Loader::owned() const {
    std::vector<int32_t> ids;
    for (const auto& [p, part] : partitions_) ids.push_back(p);
    return ids;
}

std::string Loader::name() const { return fmt::format("loader {}", id_); }

bool Loader::should_stop() const { return stop_.load(std::memory_order_relaxed); }

void Loader::start_consumer() {
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
}

void Loader::run() {
    start_consumer();
    Batch batch(cfg_.consumer_group, cfg_.topic);
    Backoff backoff(options_.quit_at_eof ? cfg_.retry_timeout : 0);
    while (!should_stop()) {
        batch.clear();
        batch.trim(batch_byte_limit());
        Step step = prepare();
        bool done = false;
        try {
            if (step.ok()) step = finished(done);
            if (step.ok() && done) break;
            if (step.ok()) step = fill(batch);
            if (step.ok() && !batch.empty()) step = commit(batch);
            if (step.ok() && gap_) step = settle_gap(*std::exchange(gap_, std::nullopt));
        } catch (const avro::RegistryUnavailable& e) {  // like unreachable brokers: wait, reject nothing
            txn_.rollback();
            batch.clear();
            if (feed_ == Feed::consuming) feed_ = Feed::stale;
            log::warn("{}; retrying", e.what());
            if (!backoff.wait(stop_))
                throw Error(Exit::kafka, fmt::format("gave up after {:.0f} s (kafka.commit.retry_timeout): {}",
                                                     backoff.failing_for(), e.what()));
            continue;
        }
        settle(step, backoff);
    }
    // Leaving the group at once lets the other processes take the partitions over now rather than
    // after session.timeout.ms. (Skipped on errors: closing waits on the brokers.)
    if (subscribed_) {
        txn_.rollback();
        rd_kafka_consumer_close(consumer_.get());
    }
}

// Connects (the first time, or again after the database was lost) and brings the partitions to
// their stored offsets.
Step Loader::prepare() {
    if (!txn_.connected()) {
        if (auto s = txn_.connect(); !s.ok()) return s;
        last_data_ = std::chrono::steady_clock::now();
        if (cfg_.group_assignment && !subscribed_) {
            auto topics = kafka::make_list(cfg_.topic, {{RD_KAFKA_PARTITION_UA, 0}});
            if (const auto err = rd_kafka_subscribe(consumer_.get(), topics.get()))
                throw Error(Exit::kafka, fmt::format("cannot join consumer group {}: {}", cfg_.consumer_group,
                                                     kafka::error_text(err)));
            subscribed_ = true;
        }
    }
    if (feed_ == Feed::awaiting_offsets || feed_ == Feed::stale) return resync();
    return Step{};
}

// What a step that did not succeed means for the loop: the stored offsets win after a fence, a
// lost database is waited for, anything else ends the run.
void Loader::settle(const Step& step, Backoff& backoff) {
    using O = Step::Outcome;
    switch (step.outcome) {
        case O::done: backoff.success(); return;
        case O::fenced:
            log::warn("{}", step.message);
            gap_.reset();  // the resync re-assigns: a real gap shows again
            if (feed_ == Feed::consuming) feed_ = Feed::stale;
            return;
        case O::unavailable:
            txn_.disconnect();
            gap_.reset();
            ++counters_.database_retries;
            if (feed_ == Feed::consuming) feed_ = Feed::stale;
            log::warn("{}; retrying", step.message);
            if (!backoff.wait(stop_))
                throw Error(Exit::database, fmt::format("gave up after {:.0f} s (kafka.commit.retry_timeout): {}",
                                                        backoff.failing_for(), step.message));
            return;
        case O::refused:
        case O::fatal: throw Error(step.code, step.message);
    }
}

// Takes the stored offsets as the truth and moves the consumer there: after a lost connection
// or a fence, whatever the last commit did is what the offsets say.
Step Loader::resync() {
    kafka::Offsets stored;
    if (auto s = txn_.stored_offsets(owned(), stored); !s.ok()) return s;
    // Moving forward needs no new assignment: messages below the stored offsets are skipped as
    // they arrive. (Re-assigning in quick succession, as a fenced loader would, can trip an
    // assertion in librdkafka's assignment code: confluentinc/librdkafka#5573.) "Forward" is
    // measured from what librdkafka has handed out (rd_kafka_position), not from what the batch
    // took in: messages polled but dropped with a failed batch lie behind it. Not assigned yet,
    // or no position: the offset stays invalid, which counts as backward.
    kafka::Offsets handed_out;
    for (const auto& [p, part] : partitions_) handed_out[p] = RD_KAFKA_OFFSET_INVALID;
    auto positions = kafka::make_list(cfg_.topic, handed_out);
    if (feed_ == Feed::stale) rd_kafka_position(consumer_.get(), positions.get());
    bool backward = false;
    for (int i = 0; i < positions->cnt; ++i) {
        const auto& e = positions->elems[i];
        const auto it = stored.find(e.partition);
        if (it == stored.end())
            return Step::failed(Step::Outcome::fatal,
                                fmt::format("{} partition {}: no stored offset", cfg_.topic, e.partition));
        backward |= e.offset < 0 || it->second < e.offset;
        auto& part = partitions_[e.partition];
        part.stored = part.position = it->second;
    }
    feed_ = Feed::consuming;
    if (!backward) return Step{};
    auto list = kafka::make_list(cfg_.topic, stored);
    if (const auto err = rd_kafka_assign(consumer_.get(), list.get()))
        throw Error(Exit::kafka, fmt::format("cannot assign {} partitions: {}", cfg_.topic, kafka::error_text(err)));
    return Step{};
}

// Every partition consumed up to the end offset it had when this load began.
bool Loader::reached_ends() const {
    for (const auto& [p, part] : partitions_)
        if (part.position < part.end) return false;
    return true;
}

// Between batches, when everything consumed is committed. Position, not the stored offset: a
// partition may end in offsets that carry no message (transaction markers). Group assignment:
// partitions move between processes, so a process is done when the database shows every
// partition of the topic at the end offset it had when this load began.
Step Loader::finished(bool& done) {
    done = false;
    if (!options_.quit_at_eof || (feed_ != Feed::consuming && feed_ != Feed::unassigned) || !reached_ends())
        return Step{};
    if (!cfg_.group_assignment) {
        done = true;
        return Step{};
    }
    std::vector<int32_t> all;
    for (const auto& [p, end] : ends_) all.push_back(p);
    kafka::Offsets stored;
    if (auto s = txn_.stored_offsets(all, stored); !s.ok()) return s;
    done = true;
    for (const auto& [p, end] : ends_) {
        const auto it = stored.find(p);
        if (it == stored.end() || it->second < end) done = false;
    }
    return Step{};
}

void Loader::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    static_cast<Loader*>(opaque)->rebalance(err, parts);
}

// Eager rebalancing: every rebalance revokes the whole assignment, then assigns the new one.
// Runs inside librdkafka's poll, so it only records what changed; the loop rolls the batch back
// and reads the stored offsets (no database work here).
void Loader::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    partitions_.clear();
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        batch_dropped_ = true;  // the batch in flight may hold messages of partitions going elsewhere
        rd_kafka_assign(consumer_.get(), nullptr);
        feed_ = Feed::unassigned;
        log::debug("loader {}: partitions revoked", id_);
        return;
    }
    for (int i = 0; i < parts->cnt; ++i) {
        const int32_t p = parts->elems[i].partition;
        const auto end = ends_.find(p);
        partitions_[p].end = end == ends_.end() ? 0 : end->second;
    }
    // Nothing to fetch until the loop has read where the database says these partitions start
    // (never Kafka's committed offset): an empty assignment answers the group meanwhile.
    auto none = kafka::make_list(cfg_.topic, {});
    rd_kafka_assign(consumer_.get(), none.get());
    feed_ = Feed::awaiting_offsets;
    log::debug("loader {}: assigned {} partition(s)", id_, partitions_.size());
}

size_t Loader::batch_byte_limit() const {
    return std::max(min_batch_bytes, batch_budget_bytes / static_cast<size_t>(std::max(1, loader_count_)));
}

Step Loader::fill(Batch& batch) {
    const auto interval = std::chrono::duration<double>(cfg_.minimal_interval);
    const auto stall_limit = std::chrono::duration<double>(cfg_.retry_timeout);
    const size_t byte_limit = batch_byte_limit();
    while (batch.size() < static_cast<size_t>(cfg_.max_row) && batch.bytes() < byte_limit && !should_stop()) {
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
        size_t want = std::min(poll_chunk, static_cast<size_t>(cfg_.max_row) - batch.size());
        // As many as fit in the byte limit at the last poll's mean size; a few while it is unknown.
        want = message_bytes_ ? std::clamp((byte_limit - batch.bytes()) / message_bytes_, size_t{1}, want)
                              : std::min(want, first_poll);
        const ssize_t n = rd_kafka_consume_batch_queue(queue_, timeout_ms, polled_.data(), want);
        if (n < 0)
            throw Error(Exit::kafka, fmt::format("{}: cannot consume: {}", cfg_.topic,
                                                 kafka::error_text(rd_kafka_last_error())));
        if (std::exchange(batch_dropped_, false)) {  // a revocation during the poll
            txn_.rollback();
            batch.clear();
        }
        const size_t held = batch.bytes();
        size_t kept = 0;  // messages, not events (the end of a partition)
        ssize_t i = 0;
        bool data = false;
        size_t bytes = 0;
        try {
            for (; i < n; ++i) {
                kept += polled_[i]->err ? 0 : 1;
                data |= add(polled_[i], batch);
                bytes += polled_[i]->len;
                rd_kafka_message_destroy(polled_[i]);
            }
        } catch (...) {
            for (; i < n; ++i) rd_kafka_message_destroy(polled_[i]);  // none may outlive the consumer
            throw;
        }
        if (kept > 0) message_bytes_ = std::max<size_t>(1, (batch.bytes() - held) / kept);
        if (data) last_data_ = std::chrono::steady_clock::now();
        if (waker_) waker_->consumed(static_cast<size_t>(n), bytes);
        if (!batch.empty()) {  // the rows stream into COPY while the batch fills
            if (!txn_.open())
                if (auto s = txn_.begin(); !s.ok()) return s;
            if (auto s = txn_.send(batch); !s.ok()) return s;
        }
        if (feed_ != Feed::consuming) return Step{};  // newly assigned partitions wait for their offsets
        if (gap_) return Step{};                      // commit what lies before the gap, then settle it
        if (batch.empty()) {
            bool done = false;
            if (auto s = finished(done); !s.ok() || done) return s;
            if (options_.quit_at_eof && std::chrono::steady_clock::now() - last_data_ > stall_limit)
                throw Error(Exit::kafka, fmt::format("topic {}: nothing received for {:.0f} s (kafka.commit.retry_timeout) "
                                                     "before the end offsets: are the brokers {} reachable?",
                                                     cfg_.topic, cfg_.retry_timeout, cfg_.brokers));
            continue;
        }
        if (n == 0 && cfg_.minimal_interval < 0) return Step{};  // queue drained: the spec's -1
        if (options_.quit_at_eof && reached_ends()) return Step{};  // nothing more will come for this run
        if (cfg_.minimal_interval >= 0 && std::chrono::steady_clock::now() - batch.opened >= interval) return Step{};
    }
    return Step{};
}

bool Loader::add(const rd_kafka_message_t* m, Batch& batch) {
    auto part = partitions_.find(m->partition);
    const bool consuming = feed_ == Feed::consuming || feed_ == Feed::stale;
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (part != partitions_.end()) part->second.position = std::max(part->second.position, m->offset);
            return true;
        }
        if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
            if (consuming && part != partitions_.end()) gap_ = m->partition;
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
    // Not this loader's, or stale after a re-seek.
    if (!consuming || part == partitions_.end() || m->offset < part->second.position) return false;

    if (batch.empty()) {
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
Step Loader::settle_gap(int32_t partition) {
    kafka::Watermarks marks;
    if (const auto err = rd_kafka_query_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &marks.low,
                                                          &marks.high, kafka::metadata_timeout_ms))
        throw Error(Exit::kafka, fmt::format("topic {} partition {}: offset out of range, and cannot read its offsets: {}",
                                             cfg_.topic, partition, kafka::error_text(err)));
    const auto it = partitions_.find(partition);
    if (it == partitions_.end()) return Step{};  // given away meanwhile
    const auto gap = kafka::retention_gap(partition, it->second.stored, marks);
    if (!gap)
        throw Error(Exit::data_loss, fmt::format("topic {} partition {}: stored offset {} is out of range: the partition "
                                                 "holds offsets {}..{} (was the topic deleted and created again?)",
                                                 cfg_.topic, partition, it->second.stored, marks.low, marks.high));
    if (cfg_.on_data_loss == Config::OnDataLoss::stop) kafka::throw_data_loss(cfg_.topic, {*gap});
    if (auto s = txn_.skip_gaps(expected(), cfg_.topic, {*gap}); !s.ok()) return s;
    counters_.lost += gap->lost();
    feed_ = Feed::awaiting_offsets;  // assigned again at the log start
    return Step{};
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

std::optional<std::string> Loader::over_error_limit(const Batch& batch) const {
    const size_t rejected = batch.rejects.count();
    if (!rejected) return std::nullopt;
    if (cfg_.error_limit_count && counters_.rejected + static_cast<int64_t>(rejected) > *cfg_.error_limit_count)
        return fmt::format("{}: kafka.output.error_limit of {} rejected messages exceeded ({} in this run); the batch "
                           "was rolled back: none of its rows, rejects or offsets were written; last error: {}",
                           describe(batch), *cfg_.error_limit_count, counters_.rejected + rejected,
                           batch.rejects.last_error());
    const double percent = 100.0 * static_cast<double>(rejected) / static_cast<double>(batch.size());
    if (cfg_.error_limit_percent && percent > *cfg_.error_limit_percent)
        return fmt::format("{}: {} of {} messages rejected ({:.1f}%), over kafka.output.error_limit of {}%; the batch "
                           "was rolled back: none of its rows, rejects or offsets were written; last error: {}",
                           describe(batch), rejected, batch.size(), percent, *cfg_.error_limit_percent,
                           batch.rejects.last_error());
    return std::nullopt;
}

// The partition's end offset as librdkafka last saw it (no request), or -1.
int64_t Loader::known_end(int32_t partition) const {
    int64_t low = 0, high = -1;
    return rd_kafka_get_watermark_offsets(consumer_.get(), cfg_.topic.c_str(), partition, &low, &high) == 0 ? high : -1;
}

Step Loader::commit(Batch& batch) {
    std::vector<db::PartitionRange> ranges;
    for (auto& [p, r] : batch.ranges) {
        r.latest = known_end(p);
        ranges.push_back(r);
    }
    int64_t inserted = 0;
    const auto limit = [&](const Batch& b) { return over_error_limit(b); };
    if (auto s = txn_.commit(batch, describe(batch), expected(), ranges, limit, inserted); !s.ok()) return s;

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
    counters_.committed(batch.ranges,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - batch.opened).count());
    if (batch.rejects.count())
        log::warn(log_fields(batch), "{}: {} message(s) rejected into {}, the last: {}", describe(batch),
                  batch.rejects.count(), cfg_.reject_table.display(), batch.rejects.last_error());
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
    return Step{};
}

}  // namespace dgkafka
