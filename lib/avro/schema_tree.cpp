#include "avro/schema_tree.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace dgkafka::avro {

namespace {
using nlohmann::json;
using Kind = Node::Kind;
using Logical = Node::Logical;

const std::map<std::string, Kind>& primitives() {
    static const std::map<std::string, Kind> kinds = {
        {"null", Kind::null},     {"boolean", Kind::boolean}, {"int", Kind::int32},   {"long", Kind::int64},
        {"float", Kind::float32}, {"double", Kind::float64},  {"bytes", Kind::bytes}, {"string", Kind::string}};
    return kinds;
}

// Kafka Connect's AvroConverter writes its own logical types with a logicalType too; Debezium's
// only with "connect.name" (and "connect.parameters", strings).
void read_connect_name(Node& n, const json& j) {
    const auto name = j.find("connect.name");
    if (name == j.end() || !name->is_string()) return;
    static const std::map<std::string, Logical> names = {
        {"io.debezium.time.Date", Logical::date},
        {"io.debezium.time.Time", Logical::time_millis},
        {"io.debezium.time.MicroTime", Logical::time_micros},
        {"io.debezium.time.NanoTime", Logical::time_nanos},
        {"io.debezium.time.Timestamp", Logical::local_ts_millis},
        {"io.debezium.time.MicroTimestamp", Logical::local_ts_micros},
        {"io.debezium.time.NanoTimestamp", Logical::local_ts_nanos},
        {"io.debezium.data.VariableScaleDecimal", Logical::variable_decimal},
        {"io.debezium.data.Bits", Logical::bits},
        {"io.debezium.data.Json", Logical::json_text}};
    const auto it = names.find(name->get<std::string>());
    if (it == names.end()) return;
    const bool fits = it->second == Logical::variable_decimal                             ? n.kind == Kind::record
                      : it->second == Logical::date || it->second == Logical::time_millis ? n.kind == Kind::int32
                      : it->second == Logical::bits                                       ? n.kind == Kind::bytes
                      : it->second == Logical::json_text                                  ? n.kind == Kind::string
                                                                                          : n.kind == Kind::int64;
    if (!fits) return;  // another type under a known name: read as the type it is
    n.logical = it->second;
    if (n.logical != Logical::bits) return;
    n.size = -1;  // unknown length: every bit of the bytes
    const auto params = j.find("connect.parameters");
    if (params == j.end() || !params->is_object() || !params->contains("length")) return;
    const json& length = params->at("length");
    const std::string text = length.is_string() ? length.get<std::string>() : length.dump();
    char* end = nullptr;
    const long long bits = std::strtoll(text.c_str(), &end, 10);
    if (end && *end == '\0' && bits >= 0) n.size = bits;
}

void read_logical(Node& n, const json& j) {
    read_connect_name(n, j);
    if (!j.contains("logicalType") || !j.at("logicalType").is_string()) return;
    static const std::map<std::string, Logical> names = {{"decimal", Logical::decimal},
                                                         {"date", Logical::date},
                                                         {"time-millis", Logical::time_millis},
                                                         {"time-micros", Logical::time_micros},
                                                         {"timestamp-millis", Logical::ts_millis},
                                                         {"timestamp-micros", Logical::ts_micros},
                                                         {"local-timestamp-millis", Logical::local_ts_millis},
                                                         {"local-timestamp-micros", Logical::local_ts_micros}};
    const auto it = names.find(j.at("logicalType").get<std::string>());
    if (it == names.end()) return;  // uuid, duration, unknown: the underlying type, as the spec says
    n.logical = it->second;
    if (n.logical == Logical::decimal && j.contains("scale") && j.at("scale").is_number_integer())
        n.scale = j.at("scale").get<int>();
}
}  // namespace

SchemaTree::SchemaTree(const json& schema) : root_(build(schema, "")) {}

Node* SchemaTree::make(Kind kind) {
    Node& n = nodes_.emplace_back();
    n.kind = kind;
    return &n;
}

const Node* SchemaTree::build(const json& j, const std::string& ns) {
    if (j.is_string()) return primitive_or_named(j.get<std::string>(), ns);
    if (j.is_array()) {
        Node* n = make(Kind::union_);
        for (const auto& branch : j) n->children.push_back(build(branch, ns));
        return n;
    }
    if (!j.is_object() || !j.contains("type"))
        throw std::invalid_argument("a type must be a name, a union or an object");
    const json& type = j.at("type");
    if (!type.is_string()) return build(type, ns);  // {"type": {...}} or {"type": [...]}
    const std::string t = type.get<std::string>();
    if (t == "record" || t == "error" || t == "enum" || t == "fixed") {
        Node* n = make(t == "enum" ? Kind::enumeration : t == "fixed" ? Kind::fixed : Kind::record);
        const std::string name = j.value("name", "");
        std::string inner_ns = j.value("namespace", ns);
        std::string full = name;
        if (name.find('.') != std::string::npos)
            inner_ns = name.substr(0, name.rfind('.'));
        else if (!inner_ns.empty())
            full = inner_ns + "." + name;
        n->name = full;
        named_[full] = n;  // before the fields: they may name it
        if (t == "fixed") {
            n->size = j.at("size").get<int64_t>();
            read_logical(*n, j);
        } else if (t == "enum") {
            n->size = static_cast<int64_t>(j.at("symbols").size());
        } else {
            for (const auto& f : j.at("fields")) n->children.push_back(build(f.at("type"), inner_ns));
            read_connect_name(*n, j);
            if (n->logical == Logical::variable_decimal) {  // {scale: int, value: bytes}, or read as a record
                const json& fields = j.at("fields");
                const bool shaped = fields.size() == 2 && fields[0].value("name", "") == "scale" &&
                                    fields[1].value("name", "") == "value" && n->children[0]->kind == Kind::int32 &&
                                    n->children[1]->kind == Kind::bytes;
                if (!shaped) n->logical = Logical::none;
            }
        }
        return n;
    }
    if (t == "array" || t == "map") {
        Node* n = make(t == "array" ? Kind::array : Kind::map);
        n->children.push_back(build(j.at(t == "array" ? "items" : "values"), ns));
        return n;
    }
    if (const auto it = primitives().find(t); it != primitives().end()) {
        Node* n = make(it->second);
        read_logical(*n, j);
        return n;
    }
    return primitive_or_named(t, ns);  // {"type": "SomeRecord"}
}

const Node* SchemaTree::primitive_or_named(const std::string& name, const std::string& ns) {
    if (const auto it = primitives().find(name); it != primitives().end()) return make(it->second);
    if (auto it = named_.find(ns.empty() ? name : ns + "." + name); it != named_.end()) return it->second;
    if (auto it = named_.find(name); it != named_.end()) return it->second;
    throw std::invalid_argument("unknown type " + name);
}

// Least fixpoint of "has a finite value": a record when all its fields have one, a union when one
// branch has, everything else always (an array or a map may be empty).
std::string SchemaTree::endless_record() const {
    std::map<const Node*, bool> finite;
    const auto is_finite = [&](const Node* n) {
        if (n->kind != Kind::record && n->kind != Kind::union_) return true;
        const auto it = finite.find(n);
        return it != finite.end() && it->second;
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (const Node& n : nodes_) {
            if (is_finite(&n)) continue;
            bool now = n.kind == Kind::record;
            for (const Node* c : n.children) now = n.kind == Kind::record ? now && is_finite(c) : now || is_finite(c);
            if (now) changed = finite[&n] = true;
        }
    }
    for (const Node& n : nodes_)
        if (n.kind == Kind::record && !is_finite(&n)) return n.name;
    return {};
}

}  // namespace dgkafka::avro
