#include "db/fault.hpp"

#include <initializer_list>

#include "db/connection.hpp"

namespace dgkafka::db {

Fault classify(const std::string& sqlstate) {
    if (is_transient(sqlstate)) return Fault::transient;
    // 22 data exception, 23 integrity constraint, 2F/38/39 function errors, P0 raised in PL/pgSQL,
    // 44 WITH CHECK OPTION violation.
    for (const char* c : {"22", "23", "2F", "38", "39", "P0", "44"})
        if (sqlstate.rfind(c, 0) == 0) return Fault::data;
    return Fault::fatal;
}

}  // namespace dgkafka::db
