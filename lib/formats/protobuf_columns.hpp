#pragma once
// The output table's columns a Protobuf schema calls for (kafka.output.create_table, evolve): each
// field of the message type, in the schema's order, with the PostgreSQL type its value takes as
// protobuf_json writes it (README, "Tables that follow their schema"): 64-bit integers and
// wrappers as their numbers, Timestamp timestamptz, Duration interval, bytes text (base64), enums
// text (their names), each oneof member its own column; messages, maps and repeated fields jsonb
// (the decoder writes them as JSON objects and arrays).
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "formats/schema_columns.hpp"

namespace google::protobuf {
class Descriptor;
}

namespace dgkafka::formats {

// The columns of one message type.
std::vector<SchemaColumn> protobuf_message_columns(const google::protobuf::Descriptor& type);

// The columns of the type the job's messages carry (protobuf::Reader::value_type): of
// protobuf_message in protobuf_file, or of registry schema `id`'s first message, its references
// resolved. False with `reason` when the schema cannot be compiled or declares no message; throws
// avro::RegistryUnavailable when the registry cannot be reached, Error(config) for a bad
// protobuf_file.
bool protobuf_columns(const Config& cfg, int32_t id, std::vector<SchemaColumn>& out, std::string& reason);

}  // namespace dgkafka::formats
