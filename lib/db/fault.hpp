#pragma once
// The one classifier of database errors: whose fault an error is decides what is done about it.
#include <string>
#include <vector>

namespace dgkafka::db {

enum class Fault {
    transient,  // the server or the connection: the same work can succeed later (retried)
    data,       // one row's values: that row is rejected, the others load
    fatal,      // the job (schema, permissions, SQL): no retry can fix it
};

// By SQLSTATE class, never by message text (which follows the server's lc_messages).
Fault classify(const std::string& sqlstate);
// The SQLSTATE classes (two characters) that classify() calls the data's fault, for SQL run on
// the server that must judge errors itself.
const std::vector<std::string>& data_classes();

// Why a connection with `conninfo` is refused: transient when no server answered, or it is
// starting, stopping or full; fatal when it refused us (authentication, a missing database, no
// permission to connect). libpq keeps a refused connection's SQLSTATE out of its API, so this
// connects once more asking for messages that hold only the SQLSTATE.
Fault classify_refused_connection(const std::string& conninfo);

}  // namespace dgkafka::db
