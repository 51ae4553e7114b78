#include "load/sink/debezium_hints.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "util/text.hpp"

namespace dgkafka::load {

namespace {
using nlohmann::json;

bool base64_text(const std::string& s) {
    static const std::regex base64("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");
    return !s.empty() && std::regex_match(s, base64);
}

bool number_text(const std::string& s) {
    static const std::regex number(R"(^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$)");
    return std::regex_match(s, number) || text::lower(s) == "nan" ||
           text::lower(s).find("infinity") != std::string::npos;
}

// What Debezium sent for a column of `type` that it cannot read, and the setting to change; "" when
// the value is not one of those encodings.
std::string encoded(const std::string& type, const json& value) {
    const bool decimal = type == "numeric" || type == "money";
    if (decimal &&
        ((value.is_string() && !number_text(value.get<std::string>()) && base64_text(value.get<std::string>())) ||
         (value.is_object() && value.contains("scale") && value.contains("value"))))
        return fmt::format(
            "{} is a decimal as Debezium's decimal.handling.mode = precise sends it (the unscaled bytes in base64, "
            "its scale only in the schema): set decimal.handling.mode = string (exact) or double",
            value.dump());
    const bool temporal = type == "date" || type.rfind("time without", 0) == 0 || type == "time" ||
                          type.rfind("timestamp without", 0) == 0 || type == "timestamp";
    if (temporal && value.is_number_integer())
        return fmt::format(
            "{} is a {} as Debezium sends it (days, or ms/µs/ns since the epoch or midnight, per "
            "time.precision.mode), which only its schema tells apart: convert it to text with the "
            "TimestampConverter SMT (target.type = string)",
            value.dump(), type.substr(0, type.find(' ')));
    return "";
}
}  // namespace

DebeziumHints::DebeziumHints(const Config& cfg, std::map<std::string, std::string> column_types) {
    if (cfg.envelope == Envelope::debezium) types_ = std::move(column_types);
}

std::string DebeziumHints::explain(std::string_view value, std::string_view sqlstate) const {
    if (types_.empty() || sqlstate.substr(0, 2) != "22") return "";
    const auto doc = json::parse(value.begin(), value.end(), nullptr, false);
    if (!doc.is_object()) return "";
    const json* payload = &doc;
    if (doc.contains("payload") && doc.contains("schema")) {
        if (!doc["schema"].is_null()) return "";  // with its schema, the values were decoded by it
        payload = &doc["payload"];
    }
    std::vector<std::string> found;
    for (const char* image : {"after", "before"}) {  // a delete's row is its before
        const auto it = payload->find(image);
        if (it == payload->end() || !it->is_object()) continue;
        for (const auto& [field, v] : it->items()) {
            const auto type = types_.find(field);
            if (type == types_.end()) continue;
            if (auto why = encoded(type->second, v); !why.empty())
                found.push_back(fmt::format("field \"{}.{}\" ({}): {}", image, field, type->second, why));
        }
        break;
    }
    if (found.empty()) return "";
    return text::join(found, "; ") +
           "; or keep Debezium's defaults and enable the schema (value.converter.schemas.enable = true)";
}

}  // namespace dgkafka::load
