#pragma once
// One loader: the loop between its Kafka side (a consumer for a set of partitions) and its
// database side (a batch's transaction); turns messages into batches, each committed with its
// offsets in one transaction. Both sides are given to it (KafkaConsumer and BatchTransaction,
// or the unit tests' fakes).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "formats/decoder.hpp"
#include "kafka/client.hpp"
#include "load/batch.hpp"
#include "load/counters.hpp"
#include "load/options.hpp"
#include "load/schema_side.hpp"
#include "load/sink/database_side.hpp"
#include "load/source/kafka_side.hpp"
#include "util/log.hpp"
#include "util/retry.hpp"

namespace dgkafka::load {

// What a loader works with: its two sides, and the decoder of its messages into rows.
struct LoaderParts {
    std::unique_ptr<KafkaSide> kafka;
    std::unique_ptr<DatabaseSide> database;
    std::unique_ptr<formats::Decoder> encoder;
    // kafka.output.evolve while streaming: the schema of each message; nullptr when not followed.
    std::unique_ptr<SchemaSide> schema = nullptr;
};

class Loader final : private KafkaSide::Listener {
  public:
    // end_offsets: the partitions it may hold, with their end offsets when the load began.
    // loader_count: loaders in this process, sharing its batch memory budget.
    Loader(const Config& cfg, const LoadOptions& options, int id, int loader_count, const kafka::Offsets& end_offsets,
           LoadCounters& counters, LoaderParts parts, const std::atomic<bool>& stop);
    ~Loader();

    // Loads until stop is set, or with quit_at_eof until every partition reached its end offset.
    // A lost database is retried with backoff (for ever when streaming, up to retry_timeout
    // with quit_at_eof); bad messages go to the rejected-rows table.
    void run();
    int64_t lag() const { return lag_; }    // messages behind the partitions' end, after the last batch
    kafka::Offsets stored_offsets() const;  // as last read from or committed to the database
    // After run(): why the stop found a server it could not reach, so the batch in flight was rolled
    // back rather than committed (its message), and which server (Exit::database or Exit::kafka).
    struct Interrupted {
        std::string why;
        Exit server;
    };
    const std::optional<Interrupted>& interrupted() const { return interrupted_; }

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

    Step prepare();
    Step resync();
    Step fill(Batch& batch);
    size_t batch_byte_limit() const;
    // What one polled message or event did. unavailable: its schema cannot be fetched now (`reason`).
    // data: a message or an end of partition; schema: a message of a schema with new fields, not
    // taken (the batch ends before it).
    enum class Taken { nothing, data, unavailable, schema };
    Taken add(const Polled& m, Batch& batch, std::string& reason);
    Step follow_schema();
    Step commit(Batch& batch);
    Step settle_gap(int32_t partition);
    void settle(const Step& step, RetryPolicy::Attempts& retries);
    // Why the batch may not commit (kafka.output.error_limit); else its rejects are `reserved`.
    std::optional<std::string> over_error_limit(const Batch& batch, int64_t& reserved);
    Step finished(bool& done);
    bool reached_ends() const;
    bool caught_up() const;           // no partition behind the end its last fetch saw
    kafka::Offsets expected() const;  // the stored offsets of every partition this loader holds
    std::vector<int32_t> owned() const;
    std::string name() const;
    std::string describe(const Batch& batch) const;
    log::Fields log_fields(const Batch& batch) const;
    bool should_stop() const;
    void assigned(const std::vector<int32_t>& partitions) override;
    void revoked() override;

    const Config& cfg_;
    const LoadOptions& options_;
    const int id_;
    const int loader_count_;    // loaders in this process, sharing its batch memory budget
    size_t message_bytes_ = 0;  // what the last poll's messages added to the batch, each: bounds the next poll
    LoadCounters& counters_;
    const std::atomic<bool>& stop_;

    Feed feed_;
    std::map<int32_t, Partition> partitions_;  // the partitions this loader holds now
    kafka::Offsets ends_;                      // end offset of every partition it may hold
    bool batch_dropped_ = false;               // a revocation took the batch in flight's partitions
    std::optional<int32_t> gap_;               // a partition whose next offset retention deleted
    bool subscribed_ = false;
    std::unique_ptr<SchemaSide> schema_;  // before the parts it replaces: outlives them
    bool schema_met_ = false;             // the batch ended before a message of a schema with new fields
    std::unique_ptr<KafkaSide> kafka_;
    std::unique_ptr<DatabaseSide> txn_;
    std::unique_ptr<formats::Decoder> encoder_;
    std::chrono::steady_clock::time_point last_data_;  // last message or end-of-partition event, not errors
    std::optional<Interrupted> outage_;                // the server the last step could not reach, until one succeeds
    std::optional<Interrupted> interrupted_;           // the outage the stop came in
    std::atomic<int64_t> lag_{0};
};

}  // namespace dgkafka::load
