#pragma once
// The output table follows the message schema (kafka.output.create_table, evolve): created when
// missing, a NULL-able column added for each field it lacks. Never a drop or a type change: a
// column whose type differs from the schema's is left as it is (its values that no longer fit are
// rejected by the load, with the server's reason). Each change is recorded in the offset history
// (event "create-table (…)" or "add-column \"name\" type", partition -1) in the same transaction.
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::db {

struct WantedColumn {
    std::string name, type;  // type: as CREATE TABLE takes it
};

struct Followed {
    bool created = false;
    std::vector<std::string> added;      // "\"name\" type", for the report
    std::vector<std::string> differing;  // columns kept with another type than the schema's
    // Fields no column can be made for (a system column's name, longer than 63 bytes), with why.
    std::vector<std::string> unusable;
};

// `source` names the schema in the history and the report ("schema id 7", "orders.avsc").
// `key`: the primary key of a created table (match_columns or the key's fields; empty: none).
// Creates only with cfg.create_table, adds only with cfg.evolve.
Followed follow_schema(pqxx::transaction_base& tx, const Config& cfg, const std::vector<WantedColumn>& fields,
                       const std::vector<std::string>& key, const std::string& source);

// The output table's columns and types (format_type's text), in order; empty when it does not exist.
std::vector<WantedColumn> output_columns(pqxx::transaction_base& tx, const Config& cfg);

}  // namespace dgkafka::db
