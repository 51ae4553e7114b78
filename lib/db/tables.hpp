#pragma once
// The tables of a dgkafka job: checking them against the config (lib/setup creates them).
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::db {

// ${offset_table}, ${history_table}, ... as quoted identifiers, for sql::render().
std::map<std::string, std::string> table_vars(const Config& cfg);

// The history table's index (schemas/history_index.sql), unquoted; in its table's schema.
std::string history_index(const Config& cfg);

bool table_exists(pqxx::transaction_base& tx, const QualifiedName& table);
std::vector<std::string> table_columns(pqxx::transaction_base& tx, const QualifiedName& table);

// What the table demands of each row on its own, each a boolean SQL expression over its columns
// (its CHECK constraints, "col" IS NOT NULL), those that read only `columns` (schemas/row_rules.sql).
std::vector<std::string> row_rules(pqxx::transaction_base& tx, const QualifiedName& table,
                                   const std::vector<std::string>& columns);

// What keeps a load from writing the output table: the table or target columns missing.
std::vector<std::string> output_table_problems(pqxx::transaction_base& tx, const Config& cfg);

// Offset tables of an earlier dgkafka (keyed without the output table) lack columns that
// `dgkafka setup` adds; the second throws Error(not_set_up) saying so.
bool offset_tables_current(pqxx::transaction_base& tx, const Config& cfg);
void require_current_offset_tables(pqxx::transaction_base& tx, const Config& cfg);

// Throws Error(not_set_up) naming the table when `dgkafka setup` has not created one of them,
// or when the staging table no longer matches kafka.input.columns.
void require_setup(pqxx::transaction_base& tx, const Config& cfg);

}  // namespace dgkafka::db
