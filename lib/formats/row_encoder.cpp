#include "formats/row_encoder.hpp"

#include <fmt/format.h>

#include <ctime>

#include "formats/copy_text.hpp"
#include "formats/json_fields.hpp"
#include "formats/utf8.hpp"
#include "util/text.hpp"

namespace dgkafka {

bool jsonb_input(const Config& cfg) {
    const auto loaded = cfg.loaded_columns();
    return cfg.format == Format::json && loaded.size() == 1 && text::lower(text::trim(loaded[0]->type)) == "jsonb";
}

RowEncoder::RowEncoder(const Config& cfg, bool with_metadata, std::vector<std::string> json_members,
                       bool json_document)
    : format_(cfg.format),
      with_metadata_(with_metadata),
      column_count_(cfg.columns.size()),
      json_document_(json_document),
      jsonb_(jsonb_input(cfg)),
      parser_(cfg.delimiter) {
    for (const auto& c : cfg.columns) loaded_.push_back(!c.ignored);
    if (!json_members.empty()) members_.emplace(std::move(json_members), jsonb_);
}

bool RowEncoder::append(const Message& m, std::string& out, std::string& reason) {
    const size_t mark = out.size();
    bool ok = true;
    switch (format_) {
        case Format::csv: ok = append_csv(m.value, out, reason); break;
        case Format::json: ok = append_json(m.value, out, reason); break;
        case Format::binary: copy_text::append_bytea(out, m.value); break;
    }
    if (ok && with_metadata_) {
        out += '\t';
        if (!m.has_key) {
            copy_text::append_null(out);
        } else {
            ok = append_checked_text(m.key, message_key, out, reason);
        }
        out += '\t';
        copy_text::append_int(out, m.partition);
        out += '\t';
        copy_text::append_int(out, m.offset);
        out += '\t';
        if (m.timestamp_ms < 0) copy_text::append_null(out);
        else append_timestamp(out, m.timestamp_ms);
    }
    if (!ok) {
        out.resize(mark);
        return false;
    }
    out += '\n';
    return true;
}

bool RowEncoder::append_csv(std::string_view value, std::string& out, std::string& reason) {
    if (!parser_.parse(value, fields_, reason)) return false;
    if (fields_.size() != column_count_) {
        reason = fmt::format("{} fields, expected {}", fields_.size(), column_count_);
        return false;
    }
    bool first = true;
    for (size_t i = 0; i < fields_.size(); ++i) {
        if (!loaded_[i]) continue;
        if (!first) out += '\t';
        first = false;
        if (fields_[i].is_null()) {
            copy_text::append_null(out);
        } else if (!append_checked_text(fields_[i].value, static_cast<int>(i + 1), out, reason)) {
            return false;
        }
    }
    return true;
}

bool RowEncoder::append_json(std::string_view value, std::string& out, std::string& reason) {
    if (value.empty()) {
        reason = "empty message: a JSON value is required";
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
    if (json_document_) {
        if (!append_checked_text(value, json_text, out, reason)) return false;
    } else if (const size_t bad = utf8::invalid_at(value); bad != std::string_view::npos) {
        reason = fmt::format("invalid UTF-8 in the JSON text at byte {}", bad + 1);  // (no NUL: JSON has none)
        return false;
    }
    bool first = !json_document_;
    for (const auto& m : members_->members()) {
        if (!first) out += '\t';
        first = false;
        if (!append_member(m, out, reason)) return false;
    }
    return true;
}

// The member's text as ->> gives it; for jsonb, a second column with its JSON where jsonb's text
// differs from what was written (containers, numbers with exponents, -0).
bool RowEncoder::append_member(const json::Member& m, std::string& out, std::string& reason) {
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

bool RowEncoder::append_checked_text(std::string_view value, int what, std::string& out, std::string& reason) {
    if (copy_text::append_text(out, value)) return true;  // the fast path checks UTF-8 and NUL too
    const std::string name = what == json_text     ? std::string("the JSON text")
                             : what == message_key ? std::string("the message key")
                                                   : fmt::format("field {}", what);
    if (const size_t bad = utf8::invalid_at(value); bad != std::string_view::npos)
        reason = fmt::format("invalid UTF-8 in {} at byte {}", name, bad + 1);
    else
        reason = fmt::format("NUL byte in {}", name);
    return false;
}

void RowEncoder::append_timestamp(std::string& out, int64_t ms) {
    const int64_t second = ms / 1000;
    if (second != cached_second_) {
        const std::time_t t = static_cast<std::time_t>(second);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        cached_prefix_ = buf;
        cached_second_ = second;
    }
    out += cached_prefix_;
    char frac[8];
    const int n = std::snprintf(frac, sizeof frac, ".%03d+00", static_cast<int>(ms % 1000));
    out.append(frac, static_cast<size_t>(n));
}

}  // namespace dgkafka
