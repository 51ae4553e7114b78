#pragma once
// What a load must know of its output table to build its statements, read once at start after
// before_load_sql (which may create or change the table and the functions its rules call).
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/table_kind.hpp"

namespace dgkafka::db {

struct OutputTable {
    TableKind kind;                  // plain, or how Citus spreads it
    std::vector<std::string> casts;  // per mapping, the type its result is cast to (mapping_casts)
    // Rows COPYed in may be skipped or diverted (a BEFORE INSERT row trigger, an INSERT rule):
    // the load goes through staging, whose INSERT counts them and applies the rules to every row.
    bool copy_unfaithful = false;
    std::vector<std::string> row_rules;  // what it demands of each row (row_rules)
};

OutputTable read_output_table(pqxx::dbtransaction& tx, const Config& cfg);
// Opens its own connection.
OutputTable read_output_table(const Config& cfg);

}  // namespace dgkafka::db
