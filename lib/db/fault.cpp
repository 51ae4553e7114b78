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
    // A worker's transaction Citus found aborted while a refused batch is walked row by row in
    // subtransactions (now and then, a trigger raising on a shard): the batch is tried again.
    if (target.citus() && sqlstate == "25P02") return Fault::transient;
    return classify(sqlstate);
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
        if (classify(sqlstate(e)) == Fault::transient) throw Unavailable(Exit::database, context + ": " + describe(e));
        throw Error(Exit::database, context + ": " + describe(e));
    } catch (const pqxx::failure& e) {  // no SQLSTATE: libpq lost the server mid-statement
        throw Unavailable(Exit::database,
                          context + ": lost the database connection: " + std::string(text::trim(e.what())));
    } catch (const pqxx::pqxx_exception& e) {
        throw Error(Exit::database, context + ": " + std::string(text::trim(e.base().what())));
    }
}

}  // namespace dgkafka::db
