#include "formats/schema_columns.hpp"

#include <fmt/format.h>

#include <optional>

namespace dgkafka::formats {

namespace {

using nlohmann::json;

std::string text_of(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Kafka Connect's and Debezium's logical types, by the schema's name (Avro: connect.name).
std::optional<std::string> connect_logical(const std::string& name, const json& parameters) {
    if (name == "org.apache.kafka.connect.data.Decimal") {
        // Debezium gives the precision too; Kafka Connect's Decimal only the scale.
        const auto scale = parameters.is_object() ? text_of(parameters, "scale") : "";
        const auto precision = parameters.is_object() ? text_of(parameters, "connect.decimal.precision") : "";
        if (!precision.empty() && !scale.empty()) return fmt::format("numeric({},{})", precision, scale);
        return "numeric";
    }
    if (name == "io.debezium.data.VariableScaleDecimal") return "numeric";
    if (name == "org.apache.kafka.connect.data.Date" || name == "io.debezium.time.Date") return "date";
    if (name == "org.apache.kafka.connect.data.Time" || name == "io.debezium.time.Time" ||
        name == "io.debezium.time.MicroTime" || name == "io.debezium.time.NanoTime")
        return "time";
    if (name == "org.apache.kafka.connect.data.Timestamp" || name == "io.debezium.time.Timestamp" ||
        name == "io.debezium.time.MicroTimestamp" || name == "io.debezium.time.NanoTimestamp")
        return "timestamp";
    if (name == "io.debezium.time.ZonedTimestamp") return "timestamptz";
    if (name == "io.debezium.time.ZonedTime") return "timetz";
    if (name == "io.debezium.data.Json") return "jsonb";
    if (name == "io.debezium.data.Uuid") return "uuid";
    if (name == "io.debezium.data.Xml") return "xml";
    if (name == "io.debezium.data.Bits") return "varbit";
    if (name == "io.debezium.data.Enum" || name == "io.debezium.data.EnumSet") return "text";
    return std::nullopt;
}

std::string avro_type(const json& schema);

// A union: [null, X] is X (NULL-able anyway); any other union is its branch's JSON.
std::string avro_union(const json& branches) {
    std::vector<const json*> set;
    for (const auto& b : branches)
        if (!(b.is_string() && b.get<std::string>() == "null")) set.push_back(&b);
    return set.size() == 1 ? avro_type(*set[0]) : "jsonb";
}

std::string avro_type(const json& schema) {
    if (schema.is_array()) return avro_union(schema);
    if (schema.is_string()) {
        const auto t = schema.get<std::string>();
        if (t == "boolean") return "boolean";
        if (t == "int") return "integer";
        if (t == "long") return "bigint";
        if (t == "float") return "real";
        if (t == "double") return "double precision";
        if (t == "string") return "text";
        if (t == "bytes") return "bytea";
        return "jsonb";  // a named type defined elsewhere: a record, its JSON
    }
    if (!schema.is_object()) return "jsonb";
    if (const auto connect =
            connect_logical(text_of(schema, "connect.name"),
                            schema.contains("connect.parameters") ? schema["connect.parameters"] : json()))
        return *connect;
    const auto type = schema.contains("type") ? schema["type"] : json();
    const auto logical = text_of(schema, "logicalType");
    if (logical == "decimal") {
        const auto p = schema.find("precision"), s = schema.find("scale");
        if (p != schema.end() && p->is_number_integer())
            return fmt::format("numeric({},{})", p->get<int>(),
                               s != schema.end() && s->is_number_integer() ? s->get<int>() : 0);
        return "numeric";
    }
    if (logical == "date") return "date";
    if (logical == "time-millis" || logical == "time-micros") return "time";
    if (logical == "timestamp-millis" || logical == "timestamp-micros") return "timestamptz";
    if (logical == "local-timestamp-millis" || logical == "local-timestamp-micros") return "timestamp";
    if (logical == "uuid") return "uuid";
    if (type.is_string()) {
        const auto t = type.get<std::string>();
        if (t == "enum") return "text";
        if (t == "fixed") return "bytea";
        if (t == "record" || t == "array" || t == "map") return "jsonb";
    }
    return avro_type(type);
}

std::string json_schema_type(const json& schema) {
    if (!schema.is_object()) return "jsonb";
    json type = schema.contains("type") ? schema["type"] : json();
    if (type.is_array()) {  // ["null", "string"]: the one that is not null
        json only;
        int others = 0;
        for (const auto& t : type)
            if (!(t.is_string() && t.get<std::string>() == "null")) {
                only = t;
                ++others;
            }
        type = others == 1 ? only : json();
    }
    if (!type.is_string()) return "jsonb";
    const auto t = type.get<std::string>();
    if (t == "boolean") return "boolean";
    if (t == "integer") return "bigint";
    if (t == "number") return "double precision";
    if (t == "string") {
        const auto format = text_of(schema, "format");
        if (format == "date-time") return "timestamptz";
        if (format == "date") return "date";
        if (format == "time") return "timetz";
        if (format == "uuid") return "uuid";
        return "text";
    }
    return "jsonb";  // object, array
}

std::string connect_type(const json& schema) {
    if (!schema.is_object()) return "jsonb";
    if (const auto logical =
            connect_logical(text_of(schema, "name"), schema.contains("parameters") ? schema["parameters"] : json()))
        return *logical;
    const auto t = text_of(schema, "type");
    if (t == "boolean") return "boolean";
    if (t == "int8" || t == "int16") return "smallint";
    if (t == "int32") return "integer";
    if (t == "int64") return "bigint";
    if (t == "float32") return "real";
    if (t == "float64") return "double precision";
    if (t == "string") return "text";
    if (t == "bytes") return "bytea";
    return "jsonb";  // struct, array, map
}

bool parse(std::string_view text, json& out, std::string& reason) {
    out = json::parse(text.begin(), text.end(), nullptr, false);
    if (!out.is_discarded()) return true;
    reason = "the schema is not JSON";
    return false;
}

}  // namespace

bool avro_columns(std::string_view schema_text, std::vector<SchemaColumn>& out, std::string& reason) {
    json schema;
    if (!parse(schema_text, schema, reason)) return false;
    if (!schema.is_object() || text_of(schema, "type") != "record" || !schema.contains("fields") ||
        !schema["fields"].is_array()) {
        reason = "the Avro schema is not a record: its fields name no columns";
        return false;
    }
    out.clear();
    for (const auto& f : schema["fields"])
        if (f.is_object() && !text_of(f, "name").empty())
            out.push_back({text_of(f, "name"), avro_type(f.contains("type") ? f["type"] : json())});
    return true;
}

bool json_schema_columns(std::string_view schema_text, std::vector<SchemaColumn>& out, std::string& reason) {
    // Ordered: the columns come in the order the schema lists its properties.
    const auto schema = nlohmann::ordered_json::parse(schema_text.begin(), schema_text.end(), nullptr, false);
    if (schema.is_discarded()) {
        reason = "the schema is not JSON";
        return false;
    }
    if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) {
        reason = "the JSON Schema has no \"properties\": they name the columns";
        return false;
    }
    out.clear();
    for (const auto& [name, property] : schema["properties"].items())
        out.push_back({name, json_schema_type(json::parse(property.dump()))});
    return true;
}

bool connect_columns(const json& schema, std::vector<SchemaColumn>& out, std::string& reason) {
    if (!schema.is_object() || text_of(schema, "type") != "struct" || !schema.contains("fields") ||
        !schema["fields"].is_array()) {
        reason = "the schema is not a struct: its fields name no columns";
        return false;
    }
    // A Debezium envelope: the row is its "after" field.
    for (const auto& f : schema["fields"])
        if (f.is_object() && text_of(f, "field") == "after" && text_of(f, "type") == "struct")
            return connect_columns(f, out, reason);
    out.clear();
    for (const auto& f : schema["fields"])
        if (f.is_object() && !text_of(f, "field").empty()) out.push_back({text_of(f, "field"), connect_type(f)});
    return true;
}

}  // namespace dgkafka::formats
