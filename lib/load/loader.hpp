#pragma once
// One loader: the loop between its Kafka side (a consumer for a set of partitions) and its
// database side (a BatchTransaction); turns messages into batches, each committed with its
// offsets in one transaction.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "formats/row_encoder.hpp"
#include "kafka/client.hpp"
#include "kafka/fetch_waker.hpp"
#include "kafka/mirror.hpp"
#include "load/batch.hpp"
#include "load/batch_transaction.hpp"
#include "load/counters.hpp"
#include "load/options.hpp"
#include "load/statements.hpp"
#include "util/backoff.hpp"
#include "util/log.hpp"

namespace dgkafka {

class Loader {
public:
    Loader(const Config& cfg, const LoadOptions& options, const LoadStatements& statements, int id,
           int loader_count, const kafka::Offsets& end_offsets, LoadCounters& counters, kafka::OffsetMirror& mirror,
           const std::atomic<bool>& stop);
    ~Loader();

    // Loads until stop is set, or with quit_at_eof until every partition reached its end offset.
    // A lost database is retried with backoff (for ever when streaming, up to retry_timeout
    // with quit_at_eof); bad messages go to the rejected-rows table.
    void run();
    int64_t lag() const { return lag_; }  // messages behind the partitions' end, after the last batch
    kafka::Offsets stored_offsets() const;  // as last read from or committed to the database

private:
    // Where the loader's partitions stand against the offsets stored in the database.
    enum class Feed {
        unassigned,        // group assignment: Kafka has dealt this loader no partitions (yet)
        awaiting_offsets,  // partitions known, the consumer not yet assigned at their stored offsets
        stale,             // consuming, but the stored offsets may have moved (a fence, a reconnect)
        consuming,         // consuming from the stored offsets
    };
    struct Partition {
        int64_t stored = 0;    // the offset the database holds: where the next batch starts
        int64_t position = 0;  // next offset to consume
        int64_t end = 0;       // quit_at_eof target
    };

    void start_consumer();
    Step prepare();
    Step resync();
    Step fill(Batch& batch);
    size_t batch_byte_limit() const;
    bool add(const rd_kafka_message_t* m, Batch& batch);  // true: data or end of partition
    Step commit(Batch& batch);
    Step settle_gap(int32_t partition);
    void settle(const Step& step, Backoff& backoff);
    std::optional<std::string> over_error_limit(const Batch& batch) const;
    Step finished(bool& done);
    bool reached_ends() const;
    int64_t known_end(int32_t partition) const;
    kafka::Offsets expected() const;  // the stored offsets of every partition this loader holds
    std::vector<int32_t> owned() const;
    std::string name() const;
    std::string describe(const Batch& batch) const;
    log::Fields log_fields(const Batch& batch) const;
    bool should_stop() const;
    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque);
    void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);

    const Config& cfg_;
    const LoadOptions& options_;
    const int id_;
    const int loader_count_;  // loaders in this process, sharing its prefetch budget
    size_t message_bytes_ = 0;  // what the last poll's messages added to the batch, each: bounds the next poll
    LoadCounters& counters_;
    kafka::OffsetMirror& mirror_;
    const std::atomic<bool>& stop_;

    Feed feed_;
    std::map<int32_t, Partition> partitions_;  // the partitions this loader holds now
    kafka::Offsets ends_;                       // end offset of every partition it may hold
    bool batch_dropped_ = false;                // a revocation took the batch in flight's partitions
    std::optional<int32_t> gap_;                // a partition whose next offset retention deleted
    bool subscribed_ = false;
    RowEncoder encoder_;
    BatchTransaction txn_;
    kafka::HandlePtr consumer_;
    std::unique_ptr<kafka::FetchWaker> waker_;  // destroyed before the consumer
    rd_kafka_queue_t* queue_ = nullptr;
    std::vector<rd_kafka_message_t*> polled_;
    std::chrono::steady_clock::time_point last_data_;  // last message or end-of-partition event, not errors
    std::atomic<int64_t> lag_{0};
};

}  // namespace dgkafka
