#pragma once
// The type each mapping's result is cast to: its output column's. The manual's mappings, such as
// key = "(jdata->>'customer_id')" into an integer column, yield text where the column wants
// another type, which PostgreSQL does not convert on its own in INSERT ... SELECT.
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::db {

// One entry per mapping: the SQL type to cast its result to, or "" when none is needed (the
// same type already, or a mapping of several columns). Evaluates each expression over the
// staging table with no rows; a failing one throws Error(config) naming the mapping and its key.
// The filter is checked the same way (kafka.output.filter).
std::vector<std::string> mapping_casts(pqxx::dbtransaction& tx, const Config& cfg);

}  // namespace dgkafka::db
