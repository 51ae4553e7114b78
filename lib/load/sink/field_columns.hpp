#pragma once
// Fields to columns: with format json or avro and no [[kafka.output.mappings]], each top-level
// field of a message goes into the output column of the same name, cast by PostgreSQL to the
// column's type; a missing field gives NULL, a field without a column is ignored. (Unless the
// output table has a column named like the input column, `jdata`: then the document goes there,
// as the spec says.) Done as one mapping per column, `("jdata"->>'name')::type`, so the member
// pushdown reads the fields.
#include <pqxx/pqxx>

#include "config/config.hpp"

namespace dgkafka::load {

// The config with those mappings when they apply (this reads the output table's columns).
Config with_field_columns(const Config& cfg);
// The same, reading the columns in `tx` (setup: a table it has just created or evolved).
Config with_field_columns(const Config& cfg, pqxx::transaction_base& tx);

// Could apply, as far as the config alone tells.
bool may_map_fields_to_columns(const Config& cfg);

}  // namespace dgkafka::load
