#pragma once
// The one classifier of database errors: whose fault an error is decides what is done about it.
#include <pqxx/except>
#include <string>
#include <vector>

#include "db/table_kind.hpp"

namespace dgkafka::db {

enum class Fault {
    transient,  // the server or the connection: the same work can succeed later (retried)
    data,       // one row's values: that row is rejected, the others load
    fatal,      // the job (schema, permissions, SQL): no retry can fix it
    // Citus's COPY into a distributed or reference table (and INSERT ... SELECT, which copies)
    // reports a shard's error as XX000 whatever it was: a row refused by a shard, or a worker
    // gone. The batch is written again by statements that keep the shard's SQLSTATE (the slow
    // path); anywhere else it is a node failing, and retried.
    undisclosed,
};

// By SQLSTATE class, never by message text (which follows the server's lc_messages). `target`:
// the table written to, when the statement wrote one (Citus hides a shard's SQLSTATE).
Fault classify(const std::string& sqlstate);
Fault classify(const std::string& sqlstate, const TableKind& target);
// The SQLSTATE classes (two characters) that classify() calls the data's fault, for SQL run on
// the server that must judge errors itself.
const std::vector<std::string>& data_classes();

// What the pqxx exception in flight says of the step that threw it, `context` in front of its
// message: `retry` when the same work can succeed later (a lost connection, a transient SQLSTATE,
// a commit whose outcome is unknown, on a Citus `target` a node failing), else the job's fault,
// with the SQLSTATE. The one reading of libpqxx's exceptions; call inside a catch block.
struct Failure {
    bool retry = false;
    std::string message;
};
Failure current_failure(const std::string& context, const TableKind& target = {});

// Inside a catch block for a pqxx exception: throws it again as the one error hierarchy
// (current_failure): Unavailable(database) to retry, else Error(database).
[[noreturn]] void rethrow_as_error(const std::string& context);

// Runs `work`; no pqxx exception leaves it (see rethrow_as_error). The db/ boundary of every
// command: pqxx exceptions never reach load, publish, check or main.
template <typename F>
auto guarded(const std::string& context, F&& work) -> decltype(work()) {
    try {
        return work();
    } catch (const pqxx::pqxx_exception&) {
        rethrow_as_error(context);
    }
}

}  // namespace dgkafka::db
