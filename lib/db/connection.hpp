#pragma once
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "config/config.hpp"

namespace dgkafka::db {

// libpq conninfo for the settings; omitted settings are left to libpq's environment (PG*).
std::string conninfo(const DbSettings& settings, const std::string& application_name);

// Opens a connection or throws Error(database) with libpq's reason (never the password).
std::unique_ptr<pqxx::connection> connect(const DbSettings& settings, const std::string& application_name);

// SQLSTATEs after which the same work can succeed on a new connection or a new try: connection
// failures (08), the server shutting down or starting (57P0x), too many connections,
// serialization failures and deadlocks; and none at all, which libpq reports when the server
// went away mid-statement ("server closed the connection unexpectedly"): every error the server
// itself sends has one.
bool is_transient(const std::string& sqlstate);

// "database error [SQLSTATE 42P01]: relation ... does not exist" for a pqxx::sql_error.
std::string describe(const pqxx::sql_error& e);

}  // namespace dgkafka::db
