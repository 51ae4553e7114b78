#pragma once
// The one classifier of database errors: whose fault an error is decides what is done about it.
#include <string>

namespace dgkafka::db {

enum class Fault {
    transient,  // the server or the connection: the same work can succeed later (retried)
    data,       // one row's values: that row is rejected, the others load
    fatal,      // the job (schema, permissions, SQL): no retry can fix it
};

// By SQLSTATE class, never by message text (which follows the server's lc_messages).
Fault classify(const std::string& sqlstate);

}  // namespace dgkafka::db
