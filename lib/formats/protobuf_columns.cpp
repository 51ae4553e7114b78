#include "formats/protobuf_columns.hpp"

#include <google/protobuf/descriptor.h>

#include <map>

#include "formats/protobuf_reader.hpp"

namespace dgkafka::formats {

namespace {
namespace gp = google::protobuf;
using F = gp::FieldDescriptor;

// The well-known messages protobuf_json writes as a value rather than an object.
std::string well_known(const std::string& name) {
    static const std::map<std::string, std::string> types = {
        {"google.protobuf.Timestamp", "timestamptz"},
        {"google.protobuf.Duration", "interval"},
        {"google.protobuf.DoubleValue", "double precision"},
        {"google.protobuf.FloatValue", "real"},
        {"google.protobuf.Int64Value", "bigint"},
        {"google.protobuf.UInt64Value", "numeric"},
        {"google.protobuf.Int32Value", "integer"},
        {"google.protobuf.UInt32Value", "bigint"},
        {"google.protobuf.BoolValue", "boolean"},
        {"google.protobuf.StringValue", "text"},
        {"google.protobuf.BytesValue", "text"},
        {"google.protobuf.FieldMask", "text"},
    };
    const auto it = types.find(name);
    return it == types.end() ? "jsonb" : it->second;  // Struct, Value, ListValue, Any, Empty: their JSON
}

std::string column_type(const F& f) {
    if (f.is_map() || f.is_repeated()) return "jsonb";  // a JSON object, a JSON array
    switch (f.type()) {
        case F::TYPE_INT32:
        case F::TYPE_SINT32:
        case F::TYPE_SFIXED32:
            return "integer";
        case F::TYPE_UINT32:
        case F::TYPE_FIXED32:
        case F::TYPE_INT64:
        case F::TYPE_SINT64:
        case F::TYPE_SFIXED64:
            return "bigint";
        case F::TYPE_UINT64:
        case F::TYPE_FIXED64:
            return "numeric";  // up to 2^64 - 1: more than bigint holds
        case F::TYPE_DOUBLE:
            return "double precision";
        case F::TYPE_FLOAT:
            return "real";
        case F::TYPE_BOOL:
            return "boolean";
        case F::TYPE_STRING:
        case F::TYPE_BYTES:  // base64 text
        case F::TYPE_ENUM:   // the value's name
            return "text";
        case F::TYPE_MESSAGE:
        case F::TYPE_GROUP:
            return well_known(f.message_type()->full_name());
    }
    return "jsonb";
}
}  // namespace

std::vector<SchemaColumn> protobuf_message_columns(const gp::Descriptor& type) {
    std::vector<SchemaColumn> out;
    for (int i = 0; i < type.field_count(); ++i) out.push_back({type.field(i)->name(), column_type(*type.field(i))});
    return out;
}

bool protobuf_columns(const Config& cfg, int32_t id, std::vector<SchemaColumn>& out, std::string& reason) {
    protobuf::Reader reader(cfg);
    const auto* type = reader.value_type(id, reason);
    if (!type) return false;
    out = protobuf_message_columns(*type);
    if (out.empty()) reason = type->full_name() + " has no field";
    return !out.empty();
}

}  // namespace dgkafka::formats
