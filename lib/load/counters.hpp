#pragma once
// What the loaders count, once per batch; the summary, the progress line and /metrics read it.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

#include "db/offsets.hpp"
#include "kafka/retention.hpp"
#include "metrics/metrics.hpp"

namespace dgkafka {

struct PartitionProgress {
    int64_t stored = 0;  // the offset the database holds
    int64_t lag = -1;    // end offset minus stored, as of the last batch; -1: end unknown
};

// Written by loaders, read by anyone.
struct LoadCounters {
    std::atomic<int64_t> messages{0}, rows{0}, batches{0}, rejected{0};
    std::atomic<int64_t> database_retries{0}, kafka_retries{0};
    // Skipped with on_data_loss = "skip": messages retention deleted, and partitions whose stored
    // offset was past their log's end (restarted at the log start).
    std::atomic<int64_t> lost{0}, restarted{0};
    metrics::Histogram batch_seconds;  // from a batch's first message to its commit

    // A committed batch's partitions; one lock per batch, none per message.
    void committed(const std::map<int32_t, db::PartitionRange>& ranges, double seconds);
    std::map<int32_t, PartitionProgress> partitions() const;
    void skipped(const kafka::RetentionGap& gap);

private:
    mutable std::mutex mu_;
    std::map<int32_t, PartitionProgress> partitions_;
};

}  // namespace dgkafka
