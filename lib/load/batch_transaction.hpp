#pragma once
// The database side of one loader: its connection, and each batch's transaction from its first
// row to its commit — stream the COPY, fence, isolate refused rows, write rejects, record the
// offsets. Every step says how it ended (a Step) instead of throwing for control flow; pqxx
// exceptions do not leave it.
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/offsets.hpp"
#include "kafka/client.hpp"
#include "kafka/retention.hpp"
#include "load/batch.hpp"
#include "load/batch_writer.hpp"
#include "load/statements.hpp"
#include "util/errors.hpp"

namespace dgkafka {

struct Step {
    enum class Outcome {
        done,
        fenced,       // another loader moved the offsets: the batch is dropped, the stored offsets win
        unavailable,  // the database is unreachable or restarting: retried with backoff
        refused,      // the data made the batch uncommittable (every row tried refused, error_limit)
        fatal,        // nothing a retry can fix
    };
    Outcome outcome = Outcome::done;
    std::string message;   // why, for everything but done
    Exit code = Exit::ok;  // refused and fatal: how the process exits

    bool ok() const { return outcome == Outcome::done; }
    static Step failed(Outcome outcome, std::string message, Exit code = Exit::failure) {
        return {outcome, std::move(message), code};
    }
};

class BatchTransaction {
public:
    BatchTransaction(const Config& cfg, const LoadStatements& statements, int id);
    ~BatchTransaction();

    bool connected() const { return conn_ != nullptr; }
    bool open() const { return tx_ != nullptr; }

    Step connect();     // a new session: its settings and staging table
    void disconnect();  // after `unavailable`: the next connect() starts afresh
    Step stored_offsets(const std::vector<int32_t>& partitions, kafka::Offsets& out);

    Step begin();                   // the batch's transaction and its COPY
    Step send(const Batch& batch);  // streams the rows encoded since the last call
    // nullopt when the batch may commit, else why not (kafka.output.error_limit).
    using Limit = std::function<std::optional<std::string>(const Batch&)>;
    // Ends the COPY; commits only while the stored offsets are still `expected` (the fence);
    // isolates refused rows; checks `limit`; records `ranges`. All or nothing. `context` names the
    // batch in messages; `inserted` gets the rows the output table kept.
    Step commit(Batch& batch, const std::string& context, const kafka::Offsets& expected,
                const std::vector<db::PartitionRange>& ranges, const Limit& limit, int64_t& inserted);
    // Records retention gaps passed with on_data_loss = "skip", behind the same fence.
    Step skip_gaps(const kafka::Offsets& expected, const std::string& topic,
                   const std::vector<kafka::RetentionGap>& gaps);
    void rollback();  // the batch in flight, if any

private:
    template <typename F>
    Step guarded(const std::string& context, F&& step);
    void open_batch();  // a batch's transaction, with its first statement
    std::optional<std::string> fence(const kafka::Offsets& expected);
    Step write(Batch& batch, const std::string& context, int64_t& inserted);

    const Config& cfg_;
    const LoadStatements& statements_;
    const int id_;
    db::OffsetStore store_;
    BatchWriter writer_;
    std::unique_ptr<pqxx::connection> conn_;
    std::unique_ptr<pqxx::work> tx_;
};

}  // namespace dgkafka
