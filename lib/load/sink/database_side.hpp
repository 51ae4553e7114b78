#pragma once
// What the loader asks of the database: a connection, the stored offsets, and each batch's
// transaction. BatchTransaction is the real one; the unit tests drive the loader with a fake.
// Calls are per batch or per poll, never per message.
#include <cassert>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/offsets.hpp"
#include "kafka/client.hpp"
#include "kafka/retention.hpp"
#include "load/batch.hpp"
#include "util/errors.hpp"

namespace dgkafka::load {

// How one step of the load ended.
struct Step {
    enum class Outcome {
        done,
        fenced,       // another loader moved the offsets: the batch is dropped, the stored offsets win
        unavailable,  // a server (the database, the schema registry) cannot be reached: retried
                      // with backoff
        refused,      // the data made the batch uncommittable (every row tried refused, error_limit)
        fatal,        // nothing a retry can fix
    };
    // The server an `unavailable` step could not reach.
    enum class Server { database, schema_registry };

    Outcome outcome = Outcome::done;
    std::string message;               // why, for everything but done
    Exit exit = Exit::ok;              // refused and fatal: how the process exits
    Server server = Server::database;  // unavailable: which server is waited for

    bool ok() const { return outcome == Outcome::done; }
    // fenced, refused or fatal; `unavailable` names its server instead.
    static Step failed(Outcome outcome, std::string message, Exit exit = Exit::failure) {
        assert(outcome != Outcome::unavailable);
        return {outcome, std::move(message), exit, Server::database};
    }
    static Step unavailable(Server server, std::string message) {
        return {Outcome::unavailable, std::move(message), Exit::ok, server};
    }
};

class DatabaseSide {
  public:
    virtual ~DatabaseSide() = default;

    virtual bool connected() const = 0;
    virtual bool open() const = 0;  // a batch's transaction is in flight

    virtual Step connect() = 0;     // a new session
    virtual void disconnect() = 0;  // after `unavailable`: the next connect() starts afresh
    virtual Step stored_offsets(const std::vector<int32_t>& partitions, kafka::Offsets& out) = 0;

    virtual Step begin() = 0;                   // the batch's transaction and its COPY
    virtual Step send(const Batch& batch) = 0;  // streams the rows encoded since the last call
    // nullopt when the batch may commit, else why not (kafka.output.error_limit).
    using Limit = std::function<std::optional<std::string>(const Batch&)>;
    // Commits only while the stored offsets are still `expected` (the fence); records `ranges`.
    // All or nothing. `context` names the batch in messages; `inserted` gets the rows kept.
    virtual Step commit(Batch& batch, const std::string& context, const kafka::Offsets& expected,
                        const std::vector<db::PartitionRange>& ranges, const Limit& limit, int64_t& inserted) = 0;
    // Records retention gaps passed with on_data_loss = "skip", behind the same fence.
    virtual Step skip_gaps(const kafka::Offsets& expected, const std::string& topic,
                           const std::vector<kafka::RetentionGap>& gaps) = 0;
    virtual void rollback() = 0;  // the batch in flight, if any
};

}  // namespace dgkafka::load
