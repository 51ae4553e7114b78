#include "formats/change_event.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/utf8.hpp"

namespace dgkafka::change {

namespace {
using nlohmann::json;

// Debezium's JSON converter with schemas.enable wraps every key and value in {"schema", "payload"}.
const json& unwrapped(const json& doc) {
    if (doc.is_object() && doc.contains("payload") && doc.contains("schema")) return doc.at("payload");
    return doc;
}

bool parse(std::string_view text, json& doc) {
    doc = json::parse(text.begin(), text.end(), nullptr, false);
    return !doc.is_discarded();
}
}  // namespace

bool DebeziumReader::parse(std::string_view text, json& doc, std::string& reason) {
    std::string why;
    if (!wrapper_.read(text, why)) {
        reason = "invalid JSON";
        doc = nullptr;
        return false;
    }
    const auto& schema = wrapper_.members()[0];
    const auto& payload = wrapper_.members()[1];
    const bool object_schema =
        schema.kind == dgkafka::json::Member::raw && !schema.text.empty() && schema.text[0] == '{';
    if (object_schema && payload.kind == dgkafka::json::Member::raw) {  // only the payload is parsed
        doc = json::parse(payload.text.begin(), payload.text.end(), nullptr, false);
    } else {
        doc = json::parse(text.begin(), text.end(), nullptr, false);
        if (!doc.is_discarded()) doc = json(unwrapped(doc));
    }
    if (doc.is_discarded()) {
        reason = "invalid JSON";
        doc = nullptr;
        return false;
    }
    if (!object_schema) return true;
    const connect::Plan* plan = plans_.find(schema.text, reason);
    if (!plan) return false;
    return plan->empty() || plan->apply(doc, reason);
}

bool DebeziumReader::read(std::string_view value, std::string_view key, Event& event, std::string& reason) {
    event.image.clear();
    if (value.empty()) {  // the tombstone Debezium sends after a delete, for compaction
        event.op = Op::skip;
        return true;
    }
    json env;
    if (!parse(value, env, reason)) return false;
    if (!env.is_object() || !env.contains("op") || !env.at("op").is_string()) {
        reason = "not a Debezium change event: no \"op\"";
        return false;
    }
    const std::string op = env.at("op").get<std::string>();
    const auto image = [&](const char* name) -> const json* {
        const auto it = env.find(name);
        return it != env.end() && it->is_object() ? &*it : nullptr;
    };
    if (op == "c" || op == "r" || op == "u") {
        const json* after = image("after");
        if (!after) {
            reason = fmt::format("Debezium event with op \"{}\" has no \"after\" row", op);
            return false;
        }
        event.op = Op::upsert;
        event.image = after->dump();
        return true;
    }
    if (op == "d") {
        const json* before = image("before");
        json key_doc;
        std::string why;
        if (!before && !key.empty()) {
            if (!parse(key, key_doc, why)) {
                if (!key_doc.is_null()) {  // JSON, with a schema its values do not follow
                    reason = "the key: " + why;
                    return false;
                }
            } else if (key_doc.is_object()) {
                before = &key_doc;
            }
        }
        if (!before) {
            reason = "Debezium delete with neither a \"before\" row nor a JSON object key";
            return false;
        }
        event.op = Op::remove;
        event.image = before->dump();
        return true;
    }
    if (op == "t") {  // skipping it would leave rows the source no longer has, without a word
        reason = "Debezium truncate event: not applied (truncate the output table by hand if the source's was)";
        return false;
    }
    if (op == "m") {  // a logical decoding message: no row to change
        event.op = Op::skip;
        return true;
    }
    reason = fmt::format("Debezium event with unknown op \"{}\"", op);
    return false;
}

bool read_debezium(std::string_view value, std::string_view key, Event& event, std::string& reason) {
    DebeziumReader reader;
    return reader.read(value, key, event, reason);
}

bool read_tombstone(std::string_view key, bool has_key, const std::vector<std::string>& match_columns, Event& event,
                    std::string& reason) {
    if (!has_key) {
        reason = "a tombstone without a key: no row to delete";
        return false;
    }
    json doc;
    const bool is_json = parse(key, doc);
    if (is_json && unwrapped(doc).is_object()) {
        const json& fields = unwrapped(doc);
        for (const auto& m : match_columns)
            if (!fields.contains(m)) {
                reason = fmt::format("tombstone key has no field \"{}\" (kafka.output.match_columns)", m);
                return false;
            }
        event.image = fields.dump();
    } else if (match_columns.size() == 1) {
        if (utf8::invalid_at(key) != std::string_view::npos) {
            reason = "tombstone key is not UTF-8 text";
            return false;
        }
        json image = json::object();
        image[match_columns[0]] =
            is_json && unwrapped(doc).is_primitive() && !unwrapped(doc).is_string()
                ? unwrapped(doc)
                : json(is_json && unwrapped(doc).is_string() ? unwrapped(doc).get<std::string>() : std::string(key));
        event.image = image.dump();
    } else {
        reason = "tombstone key is not a JSON object with the match columns";
        return false;
    }
    event.op = Op::remove;
    return true;
}

}  // namespace dgkafka::change
