#include "formats/json_decoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "util/log.hpp"
#include "util/utf8.hpp"

namespace dgkafka::formats {

JsonColumns::JsonColumns(const Config& cfg, std::vector<std::string> members, bool document)
    : document_(document), jsonb_(jsonb_input(cfg)), object_required_(!cfg.field_columns.empty()) {
    if (!members.empty()) members_.emplace(std::move(members), jsonb_);
    if (log::verbosity() >= 1) field_columns_ = cfg.field_columns;
}

bool JsonColumns::append(std::string_view value, std::string& out, std::string& reason) {
    if (value.empty()) {
        reason = "empty message: a JSON value is required";
        return false;
    }
    if (object_required_ && value.substr(std::min(value.find_first_not_of(" \t\r\n"), value.size()), 1) != "{") {
        reason = json::valid(value) ? "not a JSON object: without mappings, fields go to the columns of their names"
                                    : "invalid JSON";
        return false;
    }
    if (!members_) {
        if (!append_checked_text(value, json_text, out, reason)) return false;
        if (!json::valid(value)) {
            reason = "invalid JSON";
            return false;
        }
        return true;
    }
    if (!members_->read(value, reason)) return false;
    if (document_) {
        if (!append_checked_text(value, json_text, out, reason)) return false;
    } else if (const size_t bad = utf8::invalid_at(value); bad != std::string_view::npos) {
        reason = fmt::format("invalid UTF-8 in the JSON text at byte {}", bad + 1);  // (no NUL: JSON has none)
        return false;
    }
    bool first = !document_;
    for (const auto& m : members_->members()) {
        if (!first) out += '\t';
        first = false;
        if (!append_member(m, out, reason)) return false;
    }
    return true;
}

void JsonColumns::append_nulls(std::string& out) const {
    const size_t fields = (document_ ? 1 : 0) + (members_ ? members_->members().size() * (jsonb_ ? 2 : 1) : 0);
    for (size_t i = 0; i < fields; ++i) {
        if (i) out += '\t';
        copy_text::append_null(out);
    }
}

// The member's text as ->> gives it; for jsonb, a second column with its JSON where jsonb's text
// differs from what was written (containers, numbers with exponents, -0).
bool JsonColumns::append_member(const json::Member& m, std::string& out, std::string& reason) {
    const bool as_json = jsonb_ && m.kind == json::Member::raw && !json::jsonb_text_is_literal(m.text);
    std::string_view text = m.text;
    if (m.kind == json::Member::absent || as_json) {
        copy_text::append_null(out);
    } else {
        if (m.escaped) {
            unescaped_.clear();
            json::append_unescaped(unescaped_, m.text);
            text = unescaped_;
        }
        if (!append_checked_text(text, json_text, out, reason)) return false;
    }
    if (!jsonb_) return true;
    out += '\t';
    if (!as_json) {
        copy_text::append_null(out);
        return true;
    }
    return append_checked_text(m.text, json_text, out, reason);
}

// Once per process and name.
void JsonColumns::list_extra_fields(std::string_view document, bool debezium) const {
    static std::mutex mutex;
    static std::set<std::string> listed;
    const auto doc = nlohmann::json::parse(document.begin(), document.end(), nullptr, false);
    if (!doc.is_object()) return;
    const auto& fields = doc.contains("payload") && doc.contains("schema") ? doc["payload"] : doc;
    const auto& image = debezium && fields.contains("after") && fields["after"].is_object() ? fields["after"] : fields;
    for (const auto& [name, value] : image.items()) {
        if (std::find(field_columns_.begin(), field_columns_.end(), name) != field_columns_.end()) continue;
        std::lock_guard<std::mutex> lock(mutex);
        if (listed.insert(name).second) log::info("field \"{}\" has no column in the output table: ignored", name);
    }
}

}  // namespace dgkafka::formats
