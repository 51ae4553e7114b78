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

bool read_debezium(std::string_view value, std::string_view key, Event& event, std::string& reason) {
    event.image.clear();
    if (value.empty()) {  // the tombstone Debezium sends after a delete, for compaction
        event.op = Op::skip;
        return true;
    }
    json doc;
    if (!parse(value, doc)) {
        reason = "invalid JSON";
        return false;
    }
    const json& env = unwrapped(doc);
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
        if (!before && !key.empty() && parse(key, key_doc) && unwrapped(key_doc).is_object())
            before = &unwrapped(key_doc);
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
        image[match_columns[0]] = is_json && unwrapped(doc).is_primitive() && !unwrapped(doc).is_string()
                                      ? unwrapped(doc)
                                      : json(is_json && unwrapped(doc).is_string() ? unwrapped(doc).get<std::string>()
                                                                                   : std::string(key));
        event.image = image.dump();
    } else {
        reason = "tombstone key is not a JSON object with the match columns";
        return false;
    }
    event.op = Op::remove;
    return true;
}

}  // namespace dgkafka::change
