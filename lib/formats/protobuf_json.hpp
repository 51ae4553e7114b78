#pragma once
// A decoded Protobuf message as proto3's canonical JSON (what util::MessageToJsonString gives with
// always_print_primitive_fields and preserve_proto_field_names), written by reflection in one
// pass: the library's printer re-serializes the message and resolves every type by URL, 3 to 10
// times the cost of the parse. Fields in declaration order under their .proto names; an unset
// plain scalar as its default, an unset field with presence (proto3 `optional`, a oneof member, a
// message) left out; repeated fields as arrays, maps as objects, enums by name; 64-bit integers
// as strings, bytes as base64; Timestamp, Duration, the wrappers, Struct/Value/ListValue in their
// JSON forms; Any and FieldMask through the library's printer.
#include <string>

namespace google::protobuf {
class Message;
}

namespace dgkafka::formats::protobuf {

// Appends the message's JSON. False with `reason` (out partly written) for a value JSON has no
// form for: a Timestamp or Duration out of range, a Struct number that is NaN or infinite.
bool append_json(const google::protobuf::Message& message, std::string& out, std::string& reason);

}  // namespace dgkafka::formats::protobuf
