#pragma once
// The output table's columns a message schema calls for (kafka.output.create_table, evolve): each
// top-level field of the record, in the schema's order, with the PostgreSQL type its value takes
// as the decoders write it (README, "Tables that follow their schema", has the one table of
// these mappings). One function per schema language; each reads the schema as the registry or
// the converter gives it and never fails on a type it does not know: that field becomes jsonb.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dgkafka::formats {

struct SchemaColumn {
    std::string name;
    std::string type;  // PostgreSQL type, as CREATE TABLE / ADD COLUMN take it
    bool operator==(const SchemaColumn& o) const { return name == o.name && type == o.type; }
};

// Avro schema text (a record), its logicalType and Kafka Connect's connect.name included. False
// with `reason` when the text is not JSON or the schema not a record.
bool avro_columns(std::string_view schema_text, std::vector<SchemaColumn>& out, std::string& reason);

// JSON Schema text (an object with "properties"); a "$ref" or a type it cannot tell is jsonb.
bool json_schema_columns(std::string_view schema_text, std::vector<SchemaColumn>& out, std::string& reason);

// Kafka Connect's JSON converter schema of a struct (Debezium: the envelope's schema, whose
// "after" field is the row; a plain struct is the row itself).
bool connect_columns(const nlohmann::json& schema, std::vector<SchemaColumn>& out, std::string& reason);

}  // namespace dgkafka::formats
