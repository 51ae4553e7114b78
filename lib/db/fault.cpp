#include "db/fault.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "db/connection.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

// 22 data exception, 23 integrity constraint, 2F/38/39 function errors, P0 raised in PL/pgSQL,
// 44 WITH CHECK OPTION violation, 54 a limit a row's values exceeded (an index row too large,
// JSON nested too deep for the stack). None of them is transient.
const std::vector<std::string>& data_classes() {
    static const std::vector<std::string> classes = {"22", "23", "2F", "38",
                                                     "39", "P0", "44", "54"};
    return classes;
}

Fault classify(const std::string& sqlstate) {
    if (is_transient(sqlstate)) return Fault::transient;
    for (const auto& c : data_classes())
        if (sqlstate.rfind(c, 0) == 0) return Fault::data;
    return Fault::fatal;
}

Fault classify_refused_connection(const std::string& conninfo) {
    PGconn* conn = PQconnectStart(conninfo.c_str());
    if (!conn) return Fault::transient;
    PQsetErrorVerbosity(conn, PQERRORS_SQLSTATE);  // "FATAL:  28P01": the code is never translated
    auto status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED && PQsocket(conn) >= 0) {
        pollfd fd{PQsocket(conn),
                  static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
        if (poll(&fd, 1, 10000) <= 0) break;
        status = PQconnectPoll(conn);
    }
    const std::string message = status == PGRES_POLLING_OK ? "" : PQerrorMessage(conn);
    PQfinish(conn);
    const auto at = message.find(":  ");
    std::string sqlstate = at == std::string::npos ? "" : message.substr(at + 3, 5);
    if (sqlstate.size() != 5 || !std::all_of(sqlstate.begin(), sqlstate.end(), [](unsigned char c) {
            return std::isdigit(c) || std::isupper(c);
        }))
        return Fault::transient;  // no server's answer: the network, or a server not there
    // 28 invalid authorization, 3D no such database, 42 no permission: no retry fixes them.
    for (const char* c : {"28", "3D", "42"})
        if (sqlstate.rfind(c, 0) == 0) return Fault::fatal;
    return Fault::transient;
}

void rethrow_as_error(const std::string& context) {
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        throw Unavailable(Exit::database,
                          context + ": lost the database connection: " + std::string(text::trim(e.what())));
    } catch (const pqxx::in_doubt_error& e) {  // the stored state tells after reconnecting
        throw Unavailable(Exit::database, context + ": " + std::string(text::trim(e.what())));
    } catch (const pqxx::sql_error& e) {
        if (classify(e.sqlstate()) == Fault::transient) throw Unavailable(Exit::database, context + ": " + describe(e));
        throw Error(Exit::database, context + ": " + describe(e));
    } catch (const pqxx::failure& e) {  // no SQLSTATE: libpq lost the server mid-statement
        throw Unavailable(Exit::database,
                          context + ": lost the database connection: " + std::string(text::trim(e.what())));
    } catch (const pqxx::pqxx_exception& e) {
        throw Error(Exit::database, context + ": " + std::string(text::trim(e.base().what())));
    }
}

}  // namespace dgkafka::db
