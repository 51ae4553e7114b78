#pragma once
// One loader: its own Kafka consumer for a fixed set of partitions and its own database
// connection; turns messages into batches, each committed with its offsets in one transaction.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/offsets.hpp"
#include "formats/row_encoder.hpp"
#include "kafka/client.hpp"
#include "kafka/fetch_waker.hpp"
#include "kafka/mirror.hpp"
#include "load/batch.hpp"
#include "load/batch_writer.hpp"
#include "load/counters.hpp"
#include "load/options.hpp"
#include "load/statements.hpp"
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
    struct Partition {
        int64_t stored = 0;    // the offset the database holds: where the next batch starts
        int64_t position = 0;  // next offset to consume
        int64_t end = 0;       // quit_at_eof target
    };

    void connect_database();
    void begin_transaction();
    void lock_offsets();
    void end_transaction();
    void fill(Batch& batch);
    bool add(const rd_kafka_message_t* m, Batch& batch);  // true: data or end of partition
    void commit(Batch& batch);
    void check_error_limit(const Batch& batch) const;
    void resync_from_database(bool reassign = false);
    void settle_gap(int32_t partition);
    int64_t known_end(int32_t partition) const;
    std::string name() const;
    bool finished();
    bool reached_ends() const;
    bool all_done_in_database();
    std::vector<int32_t> owned() const;
    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque);
    void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
    bool should_stop() const;
    std::string describe(const Batch& batch) const;
    log::Fields log_fields(const Batch& batch) const;

    const Config& cfg_;
    const LoadOptions& options_;
    const LoadStatements& statements_;
    const int id_;
    const int loader_count_;  // loaders in this process, sharing its prefetch budget
    LoadCounters& counters_;
    kafka::OffsetMirror& mirror_;
    const std::atomic<bool>& stop_;

    std::map<int32_t, Partition> partitions_;  // the partitions this loader owns now
    kafka::Offsets ends_;                       // end offset of every partition it may own
    bool batch_dropped_ = false;                // a revocation rolled the batch in flight back
    std::exception_ptr rebalance_error_;        // raised inside the rebalance callback
    std::optional<int32_t> gap_;                // a partition whose next offset retention deleted
    db::OffsetStore store_;
    RowEncoder encoder_;
    BatchWriter writer_;
    std::unique_ptr<pqxx::connection> conn_;
    std::unique_ptr<pqxx::work> tx_;  // the open batch's transaction
    kafka::HandlePtr consumer_;
    std::unique_ptr<kafka::FetchWaker> waker_;  // destroyed before the consumer
    rd_kafka_queue_t* queue_ = nullptr;
    std::vector<rd_kafka_message_t*> polled_;
    std::chrono::steady_clock::time_point last_data_;  // last message or end-of-partition event, not errors
    std::atomic<int64_t> lag_{0};
    bool synced_ = false;  // partitions_ hold offsets read from the database
    bool assigned_ = false;  // the consumer is assigned partitions_ (by resync_from_database)
    bool subscribed_ = false;
};

}  // namespace dgkafka
