#include "load/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "kafka/retention.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/retry.hpp"
#include "util/text.hpp"

namespace dgkafka::load {

namespace {
constexpr int idle_poll_ms = 100;  // how often an idle loader looks at the stop flag
constexpr size_t poll_chunk = 2048;
constexpr size_t first_poll = 64;  // messages of unknown size: the next polls are sized by them
// With minimal_interval -1, a drained queue while a partition is behind its end (the next fetch
// still in flight): polls of behind_poll_ms wait up to behind_wait for more before the batch
// closes, so a slow feed fills batches instead of committing a few messages each.
constexpr int behind_poll_ms = 10;
constexpr auto behind_wait = std::chrono::milliseconds(100);
// What a process's open batches may hold (message bytes and their COPY rows), shared by its
// loaders: a batch closes at max_row or at its share, so large messages cannot multiply memory.
constexpr size_t batch_budget_bytes = size_t{16} << 20;
constexpr size_t min_batch_bytes = size_t{4} << 20;

double epoch_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Loader::Loader(const Config& cfg, const LoadOptions& options, int id, int loader_count,
               const kafka::Offsets& end_offsets, LoadCounters& counters, LoaderParts parts,
               const std::atomic<bool>& stop)
    : cfg_(cfg),
      options_(options),
      id_(id),
      loader_count_(loader_count),
      counters_(counters),
      stop_(stop),
      feed_(cfg.group_assignment ? Feed::unassigned : Feed::awaiting_offsets),
      ends_(end_offsets),
      schema_(std::move(parts.schema)),
      kafka_(std::move(parts.kafka)),
      txn_(std::move(parts.database)),
      encoder_(std::move(parts.encoder)) {
    if (!cfg_.group_assignment)
        for (const auto& [p, end] : end_offsets) partitions_[p].end = end;
}

Loader::~Loader() { txn_->rollback(); }

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

void Loader::run() {
    kafka_->start(*this);
    Batch batch(cfg_.consumer_group, cfg_.topic);
    auto retries = RetryPolicy::for_run(options_.quit_at_eof, cfg_.retry_timeout, stop_).attempts();
    while (!should_stop()) {
        batch.clear();
        batch.trim(batch_byte_limit());
        Step step = prepare();
        bool done = false;
        if (step.ok()) step = finished(done);
        if (step.ok() && done) {  // prepared: the database answered
            outage_.reset();
            counters_.database_outage.succeeded(id_);
            break;
        }
        if (step.ok()) step = fill(batch);
        if (step.ok() && !batch.empty()) step = commit(batch);
        if (std::exchange(schema_met_, false) && step.ok()) step = follow_schema();
        if (step.ok() && gap_) step = settle_gap(*std::exchange(gap_, std::nullopt));
        settle(step, retries);
    }
    // Stopped while a server was out of reach: what was in flight was not committed.
    if (should_stop()) interrupted_ = outage_;
    // Leaving the group at once lets the other processes take the partitions over now rather than
    // after session.timeout.ms. (Skipped on errors: closing waits on the brokers.)
    txn_->rollback();
    kafka_->leave();
}

// Connects (the first time, or again after the database was lost) and brings the partitions to
// their stored offsets.
Step Loader::prepare() {
    if (!txn_->connected()) {
        if (auto s = txn_->connect(); !s.ok()) return s;
        last_data_ = std::chrono::steady_clock::now();
        if (cfg_.group_assignment && !subscribed_) {
            kafka_->subscribe();
            subscribed_ = true;
        }
    }
    if (feed_ == Feed::awaiting_offsets || feed_ == Feed::stale) return resync();
    return Step{};
}

// What a step that did not succeed means for the loop: the stored offsets win after a fence, a
// lost server (the database, the schema registry) is waited for, anything else ends the run.
// The batch in flight is gone in every case but done.
void Loader::settle(const Step& step, RetryPolicy::Attempts& retries) {
    using O = Step::Outcome;
    switch (step.outcome) {
        case O::done:
            retries.succeeded();
            outage_.reset();
            counters_.database_outage.succeeded(id_);
            return;
        case O::fenced:
            outage_.reset();  // the database answered
            counters_.database_outage.succeeded(id_);
            txn_->rollback();
            log::warn("{}", step.message);
            gap_.reset();  // the resync re-assigns: a real gap shows again
            if (feed_ == Feed::consuming) feed_ = Feed::stale;
            return;
        case O::unavailable: {
            // Giving up on the schema registry exits with Exit::kafka, on the database Exit::database.
            const Exit server = step.server == Step::Server::schema_registry ? Exit::kafka : Exit::database;
            if (server == Exit::database) {
                // A session that broke says little of why (libpq: "Could not obtain client encoding:
                // not connected"); the next attempt to connect names the cause.
                const bool session_broke = txn_->connected();
                txn_->disconnect();
                ++counters_.database_retries;
                counters_.database_outage.failed(id_, step.message, !session_broke);
            } else {
                txn_->rollback();  // the connection stays: nothing is wrong with it
                log::warn("{}; retrying", step.message);
            }
            gap_.reset();
            if (feed_ == Feed::consuming) feed_ = Feed::stale;
            outage_ = Interrupted{step.message, server};
            if (!retries.failed())
                throw Error(server, RetryPolicy::give_up_text(cfg_.retry_timeout, retries.failing_for(), step.message));
            return;
        }
        case O::refused:
        case O::fatal:
            throw Error(step.exit, step.message);
    }
}

// Takes the stored offsets as the truth and moves the consumer there: after a lost connection
// or a fence, whatever the last commit did is what the offsets say.
Step Loader::resync() {
    kafka::Offsets stored;
    if (auto s = txn_->stored_offsets(owned(), stored); !s.ok()) return s;
    // Moving forward needs no new assignment: messages below the stored offsets are skipped as
    // they arrive. (Re-assigning in quick succession, as a fenced loader would, can trip an
    // assertion in librdkafka's assignment code: confluentinc/librdkafka#5573.) "Forward" is
    // measured from what librdkafka has handed out (rd_kafka_position), not from what the batch
    // took in: messages polled but dropped with a failed batch lie behind it. Not assigned yet,
    // or no position: the offset stays invalid, which counts as backward.
    kafka::Offsets handed_out;
    if (feed_ == Feed::stale) handed_out = kafka_->positions(owned());
    bool backward = false;
    for (auto& [p, part] : partitions_) {
        const auto it = stored.find(p);
        if (it == stored.end())
            return Step::failed(Step::Outcome::fatal, fmt::format("{} partition {}: no stored offset", cfg_.topic, p));
        const auto out = handed_out.find(p);
        const int64_t position = out == handed_out.end() ? RD_KAFKA_OFFSET_INVALID : out->second;
        backward |= position < 0 || it->second < position;
        part.stored = part.position = it->second;
    }
    feed_ = Feed::consuming;
    counters_.stored(stored);  // the served offsets and lag start from the database's
    if (backward) kafka_->assign(stored);
    return Step{};
}

// Every partition consumed up to the end offset it had when this load began.
bool Loader::caught_up() const {
    for (const auto& [p, part] : partitions_) {
        const int64_t end = kafka_->known_end(p);  // as the last fetch saw it
        if (end >= 0 && part.position < end) return false;
    }
    return true;
}

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
    if (auto s = txn_->stored_offsets(all, stored); !s.ok()) return s;
    done = true;
    for (const auto& [p, end] : ends_) {
        const auto it = stored.find(p);
        if (it == stored.end() || it->second < end) done = false;
    }
    return Step{};
}

// A rebalance, reported during a poll: only records what changed; the loop rolls the batch back
// and reads the stored offsets (no database work inside librdkafka's callback).
void Loader::revoked() {
    partitions_.clear();
    batch_dropped_ = true;  // the batch in flight may hold messages of partitions going elsewhere
    feed_ = Feed::unassigned;
}

void Loader::assigned(const std::vector<int32_t>& partitions) {
    partitions_.clear();
    for (const int32_t p : partitions) {
        const auto end = ends_.find(p);
        partitions_[p].end = end == ends_.end() ? 0 : end->second;
    }
    feed_ = Feed::awaiting_offsets;
}

size_t Loader::batch_byte_limit() const {
    return std::max(min_batch_bytes, batch_budget_bytes / static_cast<size_t>(std::max(1, loader_count_)));
}

Step Loader::fill(Batch& batch) {
    const auto interval = std::chrono::duration<double>(cfg_.minimal_interval);
    const auto stall_limit = std::chrono::duration<double>(cfg_.retry_timeout);
    std::string reason;  // of the last message refused
    const size_t byte_limit = batch_byte_limit();
    // When the queue went empty with a partition behind its end (not_drained: it has not).
    constexpr auto not_drained = std::chrono::steady_clock::time_point::max();
    auto drained = not_drained;
    while (batch.size() < static_cast<size_t>(cfg_.max_row) && batch.bytes() < byte_limit && !should_stop()) {
        // Never longer than idle_poll_ms: a stop signal commits the batch at once, whatever the interval.
        int timeout_ms = idle_poll_ms;
        if (!batch.empty()) {
            if (cfg_.minimal_interval < 0) {
                timeout_ms = drained != not_drained ? behind_poll_ms : 0;
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
        const auto& polled = kafka_->poll(timeout_ms, want);
        const size_t n = polled.size();
        if (std::exchange(batch_dropped_, false)) {  // a revocation during the poll
            txn_->rollback();
            batch.clear();
        }
        const size_t held = batch.bytes();
        size_t kept = 0;  // messages, not events (the end of a partition)
        bool data = false;
        Taken taken = Taken::nothing;
        for (size_t i = 0; i < n && taken != Taken::unavailable && taken != Taken::schema; ++i) {
            kept += polled[i].err ? 0 : 1;
            taken = add(polled[i], batch, reason);
            data |= taken == Taken::data;
        }
        kafka_->release();
        // Like unreachable brokers: the batch is dropped, nothing is rejected, the loop waits.
        if (taken == Taken::unavailable) return Step::unavailable(Step::Server::schema_registry, reason);
        if (kept > 0) message_bytes_ = std::max<size_t>(1, (batch.bytes() - held) / kept);
        if (data) last_data_ = std::chrono::steady_clock::now();
        if (!batch.empty()) {  // the rows stream into COPY while the batch fills
            if (!txn_->open())
                if (auto s = txn_->begin(); !s.ok()) return s;
            if (auto s = txn_->send(batch); !s.ok()) return s;
        }
        if (taken == Taken::schema) {  // the batch ends before that message; the schema is followed after its commit
            schema_met_ = true;
            return Step{};
        }
        if (feed_ != Feed::consuming) return Step{};  // newly assigned partitions wait for their offsets
        if (gap_) return Step{};                      // commit what lies before the gap, then settle it
        if (batch.empty()) {
            bool done = false;
            if (auto s = finished(done); !s.ok() || done) return s;
            if (options_.quit_at_eof && std::chrono::steady_clock::now() - last_data_ > stall_limit)
                throw Error(Exit::kafka,
                            fmt::format("topic {}: nothing received for {:.0f} s (kafka.commit.retry_timeout) "
                                        "before the end offsets: are the brokers {} reachable?",
                                        cfg_.topic, cfg_.retry_timeout, cfg_.brokers));
            continue;
        }
        if (cfg_.minimal_interval < 0) {  // the spec's -1: the batch closes when the queue is drained,
            if (n > 0) {                  // once the partitions are caught up; while one is behind,
                drained = not_drained;    // the fetch in flight is waited for a moment
            } else {
                const auto now = std::chrono::steady_clock::now();
                if (drained == not_drained) drained = now;
                if (caught_up() || now - drained >= behind_wait) return Step{};
                continue;
            }
        }
        if (options_.quit_at_eof && reached_ends()) return Step{};  // nothing more will come for this run
        if (cfg_.minimal_interval >= 0 && std::chrono::steady_clock::now() - batch.opened >= interval) return Step{};
    }
    return Step{};
}

Loader::Taken Loader::add(const Polled& polled, Batch& batch, std::string& reason) {
    const Message& msg = polled.message;
    auto part = partitions_.find(msg.partition);
    const bool consuming = feed_ == Feed::consuming || feed_ == Feed::stale;
    if (const auto err = polled.err) {
        if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (part != partitions_.end()) part->second.position = std::max(part->second.position, msg.offset);
            return Taken::data;
        }
        if (err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
            if (consuming && part != partitions_.end()) gap_ = msg.partition;
            return Taken::nothing;
        }
        const std::string what = fmt::format("{} partition {}: {}", cfg_.topic, msg.partition, kafka::error_text(err));
        if (err == RD_KAFKA_RESP_ERR__FATAL || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
            throw Error(Exit::kafka, what);
        ++counters_.kafka_retries;  // librdkafka retries it
        log::warn("{}", what);
        return Taken::nothing;
    }
    // Not this loader's, or stale after a re-seek.
    if (!consuming || part == partitions_.end() || msg.offset < part->second.position) return Taken::nothing;

    if (batch.empty()) {
        batch.opened = std::chrono::steady_clock::now();
        batch.opened_epoch = epoch_now();
    }
    if (schema_) switch (schema_->meet(msg, reason)) {
            case SchemaSide::Met::known:
                break;
            case SchemaSide::Met::new_fields:
                return Taken::schema;
            case SchemaSide::Met::unavailable:
                reason = fmt::format("{} partition {} offset {}: {}", cfg_.topic, msg.partition, msg.offset, reason);
                return Taken::unavailable;
        }
    const uint32_t index = batch.keep(msg);
    const size_t start = batch.rows.size();
    switch (encoder_->encode(msg, batch.rows, reason)) {
        case Encoded::row:
            batch.row_start.push_back(start);
            batch.row_message.push_back(index);
            break;
        case Encoded::rejected:
            batch.rejects.add(msg, reason, "");
            break;
        case Encoded::unavailable:
            reason = fmt::format("{} partition {} offset {}: {}", cfg_.topic, msg.partition, msg.offset, reason);
            return Taken::unavailable;
    }

    auto [range, first] = batch.ranges.try_emplace(msg.partition);
    if (first) {
        range->second.partition = msg.partition;
        range->second.start = part->second.stored;
    }
    range->second.end = msg.offset + 1;
    ++range->second.count;
    part->second.position = msg.offset + 1;
    return Taken::data;
}

// After the batch before a message of a schema with new fields: the table and the load follow it;
// the messages polled past that batch are fetched again from the stored offsets (resync).
Step Loader::follow_schema() {
    if (auto s = schema_->follow(encoder_, txn_); !s.ok()) return s;
    if (feed_ == Feed::consuming) feed_ = Feed::stale;
    return Step{};
}

// The next offset of a partition is out of range: everything before it is committed. Stops
// (exit 9), or with on_data_loss = "skip" records the gap and resumes at the log start.
Step Loader::settle_gap(int32_t partition) {
    const auto marks = kafka_->watermarks(partition);
    const auto it = partitions_.find(partition);
    if (it == partitions_.end()) return Step{};  // given away meanwhile
    const auto gap = kafka::retention_gap(partition, it->second.stored, marks);
    if (!gap)
        throw Error(Exit::data_loss,
                    fmt::format("topic {} partition {}: stored offset {} is out of range: the partition "
                                "holds offsets {}..{} (was the topic deleted and created again?)",
                                cfg_.topic, partition, it->second.stored, marks.low, marks.high));
    if (cfg_.on_data_loss == Config::OnDataLoss::stop) kafka::throw_data_loss(cfg_.topic, {*gap});
    if (auto s = txn_->skip_gaps(expected(), cfg_.topic, {*gap}); !s.ok()) return s;
    counters_.skipped(*gap);
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

std::optional<std::string> Loader::over_error_limit(const Batch& batch, int64_t& reserved) {
    const auto rejected = static_cast<int64_t>(batch.rejects.count());
    if (!rejected) return std::nullopt;
    const double percent = 100.0 * static_cast<double>(rejected) / static_cast<double>(batch.size());
    if (cfg_.error_limit_percent && percent > *cfg_.error_limit_percent)
        return fmt::format(
            "{}: {} of {} messages rejected ({:.1f}%), over kafka.output.error_limit of {}%; the batch "
            "was rolled back: none of its rows, rejects or offsets were written; last error: {}",
            describe(batch), rejected, batch.size(), percent, *cfg_.error_limit_percent, batch.rejects.last_error());
    if (!cfg_.error_limit_count) return std::nullopt;
    if (!counters_.reject_budget.reserve(rejected, *cfg_.error_limit_count))
        return fmt::format(
            "{}: kafka.output.error_limit of {} rejected messages exceeded ({} in this run); the batch "
            "was rolled back: none of its rows, rejects or offsets were written; last error: {}",
            describe(batch), *cfg_.error_limit_count, counters_.reject_budget.used() + rejected,
            batch.rejects.last_error());
    reserved = rejected;
    return std::nullopt;
}

Step Loader::commit(Batch& batch) {
    std::vector<db::PartitionRange> ranges;
    for (auto& [p, r] : batch.ranges) {
        r.latest = kafka_->known_end(p);
        ranges.push_back(r);
    }
    int64_t inserted = 0, reserved = 0;
    const auto limit = [&](const Batch& b) {
        counters_.reject_budget.release(std::exchange(reserved, 0));
        return over_error_limit(b, reserved);
    };
    if (auto s = txn_->commit(batch, describe(batch), expected(), ranges, limit, inserted); !s.ok()) {
        counters_.reject_budget.release(reserved);  // (a commit in doubt may pass the limit by its batch)
        return s;
    }

    kafka::Offsets next;
    int64_t lag = 0;
    for (const auto& [p, r] : batch.ranges) {
        partitions_[p].stored = r.end;
        next[p] = r.end;
    }
    for (const auto& [p, part] : partitions_) lag += std::max<int64_t>(0, kafka_->known_end(p) - part.stored);
    lag_ = lag;
    counters_.messages += static_cast<int64_t>(batch.size());
    counters_.rows += inserted;
    counters_.rejected += static_cast<int64_t>(batch.rejects.count());
    counters_.unmatched += static_cast<int64_t>(batch.unmatched);
    counters_.target_committed(batch.target_rows);
    counters_.batches += 1;
    counters_.committed(batch.ranges,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - batch.opened).count());
    if (batch.rejects.count())
        log::warn(log_fields(batch), "{}: {} message(s) rejected into {}, the last: {}", describe(batch),
                  batch.rejects.count(), cfg_.reject_table.display(), text::clip(batch.rejects.last_error(), 1000));
    kafka_->committed(next);
    if (log::enabled(log::Level::debug))
        log::debug(log_fields(batch), "{}: committed {} ({} messages)", name(), describe(batch), batch.size());
    return Step{};
}

}  // namespace dgkafka::load
