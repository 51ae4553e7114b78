#pragma once
// Confluent's wire format, shared by Avro, Protobuf and JSON Schema: magic byte 0, the schema id
// (4 bytes, big-endian), then the body the schema describes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dgkafka::avro {

constexpr size_t wire_header = 5;  // magic byte + schema id

// The schema id, and `message` moved past the header. False with `reason` when the message is
// not in the wire format; `body` names what follows the header in the reason ("Avro binary").
bool read_wire_header(std::string_view& message, int32_t& id, std::string& reason, std::string_view body);

}  // namespace dgkafka::avro
