#include "formats/connect_schema.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "avro/logical_text.hpp"

namespace dgkafka::connect {

namespace {
using nlohmann::json;

constexpr int max_depth = 100;
// Distinct schemas kept: a topic's schema changes rarely; a stream of ever new ones (a bug or an
// attack) is bounded by starting again.
constexpr size_t max_plans = 256;

struct Named {
    const char* name;
    int64_t per_second;
};

// A parameter of the schema ("parameters": {"scale": "2"}): Kafka Connect writes strings.
bool integer_parameter(const json& schema, const char* key, int64_t& value, bool& present) {
    present = false;
    const auto params = schema.find("parameters");
    if (params == schema.end() || !params->is_object()) return true;
    const auto it = params->find(key);
    if (it == params->end() || it->is_null()) return true;
    present = true;
    if (it->is_number_integer()) {
        value = it->get<int64_t>();
        return true;
    }
    if (!it->is_string()) return false;
    const std::string text = it->get<std::string>();
    char* end = nullptr;
    errno = 0;
    value = std::strtoll(text.c_str(), &end, 10);
    return !text.empty() && end && *end == '\0' && errno == 0;
}

std::string shown(const json& value) {
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

std::string child_path(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
}

void append_hex_bytea(std::string& out, const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
}
}  // namespace

bool base64_decode(std::string_view text, std::string& bytes) {
    bytes.clear();
    while (!text.empty() && text.back() == '=' && text.size() % 4 != 1) text.remove_suffix(1);
    if (text.size() % 4 == 1) return false;
    bytes.reserve(text.size() / 4 * 3 + 2);
    uint32_t acc = 0;
    int bits = 0;
    for (const char ch : text) {
        int v;
        if (ch >= 'A' && ch <= 'Z')
            v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
            v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9')
            v = ch - '0' + 52;
        else if (ch == '+')
            v = 62;
        else if (ch == '/')
            v = 63;
        else
            return false;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return true;
}

bool Plan::make(const json& schema, Plan& plan, std::string& reason) {
    plan = Plan();
    return build(schema, "", 0, plan, reason);
}

bool Plan::build(const json& schema, const std::string& path, int depth, Plan& plan, std::string& reason) {
    const auto where = [&] { return path.empty() ? std::string("the schema") : fmt::format("field \"{}\"", path); };
    if (depth > max_depth) {
        reason = fmt::format("schema: {} nested deeper than {} levels", where(), max_depth);
        return false;
    }
    if (!schema.is_object()) {
        reason = fmt::format("schema: {} is not a Kafka Connect schema (an object)", where());
        return false;
    }
    const std::string type =
        schema.contains("type") && schema.at("type").is_string() ? schema.at("type").get<std::string>() : "";
    const std::string name =
        schema.contains("name") && schema.at("name").is_string() ? schema.at("name").get<std::string>() : "";
    plan.type_name_ = name.empty() ? type : name;

    static const Named times[] = {{"org.apache.kafka.connect.data.Time", 1000},
                                  {"io.debezium.time.Time", 1000},
                                  {"io.debezium.time.MicroTime", 1000000},
                                  {"io.debezium.time.NanoTime", 1000000000}};
    static const Named timestamps[] = {{"org.apache.kafka.connect.data.Timestamp", 1000},
                                       {"io.debezium.time.Timestamp", 1000},
                                       {"io.debezium.time.MicroTimestamp", 1000000},
                                       {"io.debezium.time.NanoTimestamp", 1000000000}};
    for (const auto& t : times)
        if (name == t.name) {
            plan.kind_ = Kind::time;
            plan.per_second_ = t.per_second;
            return true;
        }
    for (const auto& t : timestamps)
        if (name == t.name) {
            plan.kind_ = Kind::timestamp;
            plan.per_second_ = t.per_second;
            return true;
        }
    if (name == "org.apache.kafka.connect.data.Date" || name == "io.debezium.time.Date") {
        plan.kind_ = Kind::date;
        return true;
    }
    if (name == "org.apache.kafka.connect.data.Decimal") {
        int64_t scale = 0;
        bool present = false;
        if (!integer_parameter(schema, "scale", scale, present) || !present || scale > avro::max_decimal_scale ||
            scale < -avro::max_decimal_scale) {
            reason = fmt::format("schema: {} ({}): its \"parameters\" give no scale that is a number within ±{}",
                                 where(), name, avro::max_decimal_scale);
            return false;
        }
        plan.kind_ = Kind::decimal;
        plan.scale_ = static_cast<int>(scale);
        return true;
    }
    if (name == "io.debezium.data.VariableScaleDecimal") {
        plan.kind_ = Kind::variable_decimal;
        return true;
    }
    if (name == "io.debezium.data.Json") {
        plan.kind_ = Kind::json_text;
        return true;
    }
    if (name == "io.debezium.data.Bits") {
        bool present = false;
        if (!integer_parameter(schema, "length", plan.bits_, present) || (present && plan.bits_ < 0)) {
            reason = fmt::format("schema: {} ({}): its \"length\" parameter is not a number", where(), name);
            return false;
        }
        if (!present) plan.bits_ = -1;
        plan.kind_ = Kind::bits;
        return true;
    }
    if (type == "bytes") {
        plan.kind_ = Kind::bytes;
        return true;
    }
    if (type == "struct") {
        const auto fields = schema.find("fields");
        if (fields == schema.end() || !fields->is_array()) {
            reason = fmt::format("schema: {} is a struct without \"fields\"", where());
            return false;
        }
        for (const json& f : *fields) {
            if (!f.is_object() || !f.contains("field") || !f.at("field").is_string()) {
                reason = fmt::format("schema: {} has a field without a \"field\" name", where());
                return false;
            }
            const std::string field = f.at("field").get<std::string>();
            Plan child;
            if (!build(f, child_path(path, field), depth + 1, child, reason)) return false;
            if (!child.empty()) plan.fields_.emplace_back(field, std::move(child));
        }
        if (!plan.fields_.empty()) plan.kind_ = Kind::record;
        return true;
    }
    if (type == "array" || type == "map") {
        const auto items = schema.find(type == "array" ? "items" : "values");
        if (items == schema.end()) return true;  // read as it comes
        Plan child;
        if (!build(*items, path + "[]", depth + 1, child, reason)) return false;
        if (!child.empty()) {
            plan.kind_ = type == "array" ? Kind::array : Kind::map;
            plan.items_.push_back(std::move(child));
        }
        return true;
    }
    return true;  // numbers, booleans, strings (ZonedTimestamp, Uuid, Xml, Enum, EnumSet, ...): as they are
}

bool Plan::apply(json& value, std::string& reason) const { return apply_at(value, "", reason); }

bool Plan::fail(const json& value, const std::string& path, const char* why, std::string& reason) const {
    std::string type = type_name_;
    if (kind_ == Kind::decimal) type += fmt::format(", scale {}", scale_);
    reason = fmt::format("field \"{}\" ({}): {} {}", path, type, shown(value), why);
    return false;
}

bool Plan::apply_at(json& value, const std::string& path, std::string& reason) const {
    if (value.is_null() || kind_ == Kind::keep) return true;
    std::string bytes, text;
    switch (kind_) {
        case Kind::keep:
            return true;
        case Kind::record: {
            if (!value.is_object()) return fail(value, path, "is not an object", reason);
            for (const auto& [name, plan] : fields_) {
                const auto it = value.find(name);
                if (it != value.end() && !plan.apply_at(*it, child_path(path, name), reason)) return false;
            }
            return true;
        }
        case Kind::array:
        case Kind::map: {
            if (kind_ == Kind::array && !value.is_array()) return fail(value, path, "is not an array", reason);
            if (kind_ == Kind::map && !value.is_object() && !value.is_array())
                return fail(value, path, "is not a map", reason);
            const std::string item_path = path + "[]";
            for (auto& item : value) {  // a map with keys that are not strings: [[key, value], ...]
                json& target =
                    kind_ == Kind::map && value.is_array() && item.is_array() && item.size() == 2 ? item[1] : item;
                if (!items_[0].apply_at(target, item_path, reason)) return false;
            }
            return true;
        }
        case Kind::decimal:
        case Kind::bytes:
        case Kind::bits: {
            if (kind_ == Kind::decimal && value.is_number()) return true;  // the converter's decimal.format = NUMERIC
            if (!value.is_string()) return fail(value, path, "is not base64 text", reason);
            if (!base64_decode(value.get_ref<const std::string&>(), bytes))
                return fail(value, path, "is not base64", reason);
            const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
            if (kind_ == Kind::decimal) {
                if (!avro::append_decimal(text, p, bytes.size(), scale_))
                    return fail(value, path, "is longer than dgkafka takes (4096 bytes)", reason);
                value = std::move(text);  // a string: a JSON number would pass through a double
                return true;
            }
            if (kind_ == Kind::bytes) {
                append_hex_bytea(text, bytes);
            } else {  // bit 0 is the lowest bit of the first byte, and the last digit
                const size_t n = bits_ < 0 || static_cast<uint64_t>(bits_) > bytes.size() * 8
                                     ? bytes.size() * 8
                                     : static_cast<size_t>(bits_);
                for (size_t i = n; i-- > 0;) text += (p[i / 8] >> (i % 8)) & 1 ? '1' : '0';
            }
            value = std::move(text);
            return true;
        }
        case Kind::variable_decimal: {
            if (!value.is_object() || !value.contains("scale") || !value.contains("value"))
                return fail(value, path, "is not {\"scale\": ..., \"value\": ...}", reason);
            const json& scale = value.at("scale");
            if (!scale.is_number_integer() || scale.get<int64_t>() > avro::max_decimal_scale ||
                scale.get<int64_t>() < -avro::max_decimal_scale)
                return fail(value, path, "has a scale that is not a number within ±16383", reason);
            if (!value.at("value").is_string() ||
                !base64_decode(value.at("value").get_ref<const std::string&>(), bytes))
                return fail(value, path, "has a value that is not base64", reason);
            if (!avro::append_decimal(text, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                      static_cast<int>(scale.get<int64_t>())))
                return fail(value, path, "is longer than dgkafka takes (4096 bytes)", reason);
            value = std::move(text);
            return true;
        }
        case Kind::date:
        case Kind::time:
        case Kind::timestamp: {
            if (!value.is_number_integer()) return fail(value, path, "is not an integer", reason);
            const int64_t units =
                value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX ? INT64_MAX : value.get<int64_t>();
            const bool ok = kind_ == Kind::date   ? avro::append_date(text, units)
                            : kind_ == Kind::time ? avro::append_time_of_day(text, units, per_second_)
                                                  : avro::append_timestamp(text, units, per_second_);
            if (!ok) return fail(value, path, "is out of range", reason);
            value = std::move(text);
            return true;
        }
        case Kind::json_text: {
            if (!value.is_string()) return fail(value, path, "is not a string holding JSON", reason);
            json inner = json::parse(value.get_ref<const std::string&>(), nullptr, false);
            if (inner.is_discarded()) return fail(value, path, "is not JSON", reason);
            value = std::move(inner);
            return true;
        }
    }
    return true;
}

const Plan* Plans::find(std::string_view schema_text, std::string& reason) {
    const std::string key(schema_text);
    auto it = plans_.find(key);
    if (it == plans_.end()) {
        if (plans_.size() >= max_plans) plans_.clear();
        auto entry = std::make_unique<Entry>();
        const json schema = json::parse(schema_text.begin(), schema_text.end(), nullptr, false);
        if (schema.is_discarded())
            entry->error = "invalid JSON";
        else if (!Plan::make(schema, entry->plan, entry->error) && entry->error.empty())
            entry->error = "not a schema";
        it = plans_.emplace(key, std::move(entry)).first;
    }
    if (!it->second->error.empty()) {
        reason = it->second->error;
        return nullptr;
    }
    return &it->second->plan;
}

}  // namespace dgkafka::connect
