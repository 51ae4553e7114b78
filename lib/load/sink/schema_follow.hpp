#pragma once
// kafka.output.create_table / evolve before any message is read: the schema the job's producers
// registered — the registry's newest version of "<topic>-value" (Confluent's TopicNameStrategy)
// — or the local avro_schema or protobuf_file, mapped to columns (formats::*_columns), and the output table
// made to follow it (db::follow_schema). While a load streams, a message of a schema version
// registered since is followed the same way (SchemaEvolution, registered_schema).
#include <cstdint>
#include <optional>
#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/table_follow.hpp"

namespace dgkafka::load {

struct KnownSchema {
    std::vector<db::WantedColumn> columns;
    std::vector<std::string> key;  // a created table's primary key: match_columns, or the key schema's fields
    std::string source;            // "schema id 7 (subject orders-value)", "orders.avsc"
};

// nullopt when the schema is known only from messages (no registry subject yet, a Debezium
// schema block). Throws Unavailable when the registry cannot be reached,
// Error(config) when the schema names no columns.
std::optional<KnownSchema> known_schema(const Config& cfg);

// The registry's schema `id` as columns (no key: it only adds columns); nullopt when the id names
// no schema of the job's format (its messages are the decoder's to judge). Throws
// avro::RegistryUnavailable, and Error(config) when a schema of the job's format gives no columns.
std::optional<KnownSchema> registered_schema(const Config& cfg, int32_t id);

// Makes the output table follow `schema` in `tx` and reports what changed on `out`
// ("created: …", "evolved: …") and each column kept with another type on the log.
void follow(pqxx::transaction_base& tx, const Config& cfg, const KnownSchema& schema, std::ostream& out);

// At the start of a load: the table follows the registered schema in a transaction of its own
// (after setup: the history table holds the record), each change logged.
void follow_at_start(const Config& cfg);

}  // namespace dgkafka::load
