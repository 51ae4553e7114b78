#include "db/fault.hpp"

#include "db/connection.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace dgkafka::db {

// 22 data exception, 23 integrity constraint, 2F/38/39 function errors, P0 raised in PL/pgSQL,
// 44 WITH CHECK OPTION violation, 54 a limit a row's values exceeded (an index row too large,
// JSON nested too deep for the stack). None of them is transient.
const std::vector<std::string>& data_classes() {
    static const std::vector<std::string> classes = {"22", "23", "2F", "38", "39", "P0", "44", "54"};
    return classes;
}

Fault classify(const std::string& sqlstate) {
    if (is_transient(sqlstate)) return Fault::transient;
    for (const auto& c : data_classes())
        if (sqlstate.rfind(c, 0) == 0) return Fault::data;
    return Fault::fatal;
}

Fault classify(const std::string& sqlstate, const TableKind& target) {
    if (target.citus() && sqlstate == "XX000") return Fault::undisclosed;
    // A Citus COPY whose connection to a worker broke mid-stream: "failed to COPY to shard".
    if (target.citus() && sqlstate == "58030") return Fault::transient;
    // A worker's transaction Citus finds aborted while a refused batch is walked row by row in
    // subtransactions (a trigger raising on a shard can leave it so): the batch is tried again.
    if (target.citus() && sqlstate == "25P02") return Fault::transient;
    return classify(sqlstate);
}

Failure current_failure(const std::string& context, const TableKind& target) {
    const auto lost = [&](const std::exception& e) {
        return Failure{true, context + ": lost the database connection: " + std::string(text::trim(e.what()))};
    };
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        return lost(e);
    } catch (const pqxx::in_doubt_error& e) {  // the stored state tells after reconnecting
        return {true, context + ": " + std::string(text::trim(e.what()))};
    } catch (const pqxx::sql_error& e) {
        const auto fault = classify(sqlstate(e), target);
        return {fault == Fault::transient || fault == Fault::undisclosed, context + ": " + describe(e)};
    } catch (const pqxx::failure& e) {
        // No SQLSTATE: libpq failing to talk to the server (a COPY write to a server that went
        // away), or an error libpqxx 6.4 reports without one (a deadlock ending a COPY): like a
        // lost connection, reconnect; the retry policy bounds how long.
        return lost(e);
    } catch (const pqxx::pqxx_exception& e) {  // libpqxx's own (usage, conversion, range): the job's
        return {false, context + ": " + std::string(text::trim(e.base().what()))};
    }
}

void rethrow_as_error(const std::string& context) {
    auto f = current_failure(context);
    if (f.retry) throw Unavailable(Exit::database, std::move(f.message));
    throw Error(Exit::database, std::move(f.message));
}

}  // namespace dgkafka::db
