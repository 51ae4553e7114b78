#pragma once
// One loader: its own Kafka consumer for a fixed set of partitions and its own database
// connection; turns messages into batches, each committed with its offsets in one transaction.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/offsets.hpp"
#include "formats/row_encoder.hpp"
#include "kafka/client.hpp"
#include "load/options.hpp"
#include "load/statements.hpp"

namespace dgkafka {

// Counters the loaders share with the reporter; written by loaders, read by anyone.
struct LoadCounters {
    std::atomic<int64_t> messages{0}, rows{0}, batches{0};
};

class Loader {
public:
    Loader(const Config& cfg, const LoadOptions& options, const LoadStatements& statements, int id,
           const kafka::Offsets& end_offsets, LoadCounters& counters, const std::atomic<bool>& stop);
    ~Loader();

    // Loads until stop is set, or with quit_at_eof until every partition reached its end offset.
    void run();
    int64_t lag() const { return lag_; }  // messages behind the partitions' end, after the last batch

private:
    struct Partition {
        int64_t stored = 0;    // the offset the database holds: where the next batch starts
        int64_t position = 0;  // next offset to consume
        int64_t end = 0;       // quit_at_eof target
    };
    struct Batch {
        std::string rows;  // COPY text lines
        std::map<int32_t, db::PartitionRange> ranges;
        int64_t messages = 0;
        std::chrono::steady_clock::time_point opened;
        double opened_epoch = 0;
        void clear();
    };

    void connect();
    void fill(Batch& batch);
    void add(const rd_kafka_message_t* m, Batch& batch);
    bool commit(Batch& batch);      // false: fenced off, the partitions were re-read and re-seeked
    void write_rows(pqxx::work& tx, Batch& batch);
    void resync(pqxx::transaction_base& tx);
    bool finished() const;
    bool should_stop() const;
    std::string describe(const Batch& batch) const;

    const Config& cfg_;
    const LoadOptions& options_;
    const LoadStatements& statements_;
    const int id_;
    LoadCounters& counters_;
    const std::atomic<bool>& stop_;

    std::map<int32_t, Partition> partitions_;
    std::vector<int32_t> partition_ids_;
    db::OffsetStore store_;
    RowEncoder encoder_;
    std::unique_ptr<pqxx::connection> conn_;
    kafka::HandlePtr consumer_;
    rd_kafka_queue_t* queue_ = nullptr;
    std::vector<rd_kafka_message_t*> polled_;
    std::atomic<int64_t> lag_{0};
};

}  // namespace dgkafka
