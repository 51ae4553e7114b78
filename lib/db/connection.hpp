#pragma once
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "config/config.hpp"

namespace dgkafka::db {

// libpq conninfo for the settings; omitted settings are left to libpq's environment (PG*).
std::string conninfo(const DbSettings& settings, const std::string& application_name);

// Opens a connection or throws with libpq's reason (never the password): Unavailable(database)
// when no server answered or it refused for a reason that passes (starting up, too many clients),
// Error(database) naming the SQLSTATE when it refused for good (authentication, no such database).
std::unique_ptr<pqxx::connection> connect(const DbSettings& settings, const std::string& application_name);

// The last SQLSTATE in a libpq error message written with PQERRORS_SQLSTATE verbosity ("").
std::string refusal_sqlstate_in(const std::string& message);

// SQLSTATEs after which the same work can succeed on a new connection or a new try: connection
// failures (08), the server shutting down or starting (57P0x), too many connections,
// serialization failures and deadlocks; and none at all, which libpq reports when the server
// went away mid-statement ("server closed the connection unexpectedly"): every error the server
// itself sends has one.
bool is_transient(const std::string& sqlstate);

// The error's SQLSTATE. libpqxx 6.4 throws some of its specific exception classes (e.g.
// insufficient_privilege) without the code: then the class says it. "" when neither does.
std::string sqlstate(const pqxx::sql_error& e);

// "database error [SQLSTATE 42P01]: relation ... does not exist" for a pqxx::sql_error.
std::string describe(const pqxx::sql_error& e);

}  // namespace dgkafka::db
