#pragma once
// What the loaders count, once per batch; the summary, the progress line and /metrics read it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "db/offsets.hpp"
#include "kafka/retention.hpp"
#include "metrics/metrics.hpp"
#include "util/outage.hpp"

namespace dgkafka::load {

struct PartitionProgress {
    using Clock = std::chrono::steady_clock;
    int64_t stored = 0;              // the offset the database holds
    int64_t end = -1;                // the partition's end offset as last seen (by a batch, or asked); -1: unknown
    Clock::time_point committed;     // its last committed batch, or when the load first read its offset
    Clock::time_point behind_since;  // when it was last seen falling behind its end

    int64_t lag() const { return end < 0 ? -1 : std::max<int64_t>(0, end - stored); }
    // Seconds it has had lag without a batch committed (0 when caught up): a stalled job grows it.
    double stalled_seconds(Clock::time_point now) const;
};

// kafka.output.error_limit's count for the run: a batch's rejects are reserved before it commits,
// so loaders committing at the same moment cannot pass the limit together.
class RejectBudget {
  public:
    // Reserves n; false, reserving nothing, when the run's rejects would pass `limit`.
    bool reserve(int64_t n, int64_t limit);
    void release(int64_t n) { used_ -= n; }  // the batch did not commit
    int64_t used() const { return used_; }

  private:
    std::atomic<int64_t> used_{0};
};

// Written by loaders, read by anyone.
struct LoadCounters {
    std::atomic<int64_t> messages{0}, rows{0}, batches{0}, rejected{0};
    // Several output tables: the messages none took (kafka.output.unmatched), and each table's rows.
    std::atomic<int64_t> unmatched{0};
    std::atomic<int64_t> database_retries{0}, kafka_retries{0};
    // Skipped with on_data_loss = "skip": messages retention deleted, and partitions whose stored
    // offset was past their log's end (restarted at the log start).
    std::atomic<int64_t> lost{0}, restarted{0};
    metrics::Histogram batch_seconds;  // from a batch's first message to its commit
    RejectBudget reject_budget;
    Outage database_outage{"the database"};  // logged once per outage, not per loader per attempt
    Outage kafka_outage{"Kafka"};            // the brokers, as EndOffsetWatch finds them

    // A committed batch's partitions; one lock per batch, none per message.
    void committed(const std::map<int32_t, db::PartitionRange>& ranges, double seconds);
    // Offsets read from the database (a loader's start, or after a fence or a lost connection).
    void stored(const kafka::Offsets& offsets);
    // End offsets asked of the brokers, whatever the database's state (EndOffsetWatch).
    void ends(const kafka::Offsets& offsets);
    std::map<int32_t, PartitionProgress> partitions() const;
    void skipped(const kafka::RetentionGap& gap);
    // A committed batch's rows per output table (Batch::target_rows), and their totals so far.
    void target_committed(const std::vector<int64_t>& committed);
    std::vector<int64_t> target_rows() const;

  private:
    mutable std::mutex mu_;
    std::map<int32_t, PartitionProgress> partitions_;
    std::vector<int64_t> target_rows_;
};

}  // namespace dgkafka::load
