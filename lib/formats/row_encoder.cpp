#include "formats/row_encoder.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "avro/avro_reader.hpp"
#include "avro/registry.hpp"
#include "formats/copy_text.hpp"
#include "formats/json_fields.hpp"
#include "util/utf8.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace dgkafka {

bool jsonb_input(const Config& cfg) {
    const auto loaded = cfg.loaded_columns();
    return (cfg.format == Format::json || cfg.format == Format::avro) && loaded.size() == 1 && text::lower(text::trim(loaded[0]->type)) == "jsonb";
}

RowEncoder::RowEncoder(const Config& cfg, bool with_metadata, std::vector<std::string> json_members,
                       bool json_document)
    : format_(cfg.format),
      with_metadata_(with_metadata),
      key_bytes_(with_metadata && cfg.references("_key_bytes")),
      key_text_needed_(with_metadata && cfg.references("_key")),
      column_count_(cfg.columns.size()),
      json_document_(json_document),
      jsonb_(jsonb_input(cfg)),
      envelope_(cfg.envelope),
      delete_on_tombstone_(cfg.delete_on_tombstone),
      match_columns_(cfg.match_columns),
      parser_(cfg.delimiter) {
    for (const auto& c : cfg.columns) loaded_.push_back(!c.ignored);
    if (!json_members.empty()) members_.emplace(std::move(json_members), jsonb_);
    headers_ = with_metadata && cfg.reads_headers();
    if (format_ == Format::avro) avro_ = std::make_unique<avro::AvroReader>(cfg.avro);
    if (log::verbosity() >= 1) field_columns_ = cfg.field_columns;
    object_required_ = !cfg.field_columns.empty();
}

RowEncoder::~RowEncoder() = default;

Encoded RowEncoder::encode(const Message& m, std::string& out, std::string& reason) {
    const size_t mark = out.size();
    try {
        return append(m, out, reason) ? Encoded::row : Encoded::rejected;
    } catch (const avro::RegistryUnavailable& e) {  // the registry's outage, not the message's fault
        out.resize(mark);
        reason = e.what();
        return Encoded::unavailable;
    }
}

bool RowEncoder::append(const Message& m, std::string& out, std::string& reason) {
    const size_t mark = out.size();
    decoded_key_of_ = nullptr;
    bool ok = true;
    switch (format_) {
        case Format::csv: ok = append_csv(m.value, out, reason); break;
        case Format::json: ok = append_document(m, out, reason); break;
        case Format::binary:  // a tombstone (no value at all) is NULL, an empty value ''
            if (m.value.data()) copy_text::append_bytea(out, m.value);
            else copy_text::append_null(out);
            break;
        case Format::avro: ok = append_document(m, out, reason); break;
    }
    if (ok && headers_) {
        out += '\t';
        append_headers(m.headers, out);
    }
    if (ok && with_metadata_) {
        out += '\t';
        const size_t key_at = out.size();
        if (!m.has_key) {
            copy_text::append_null(out);
        } else if (!append_checked_text(key_text(m), message_key, out, reason)) {
            ok = !key_text_needed_;  // only _key_bytes is used: a key that is not text is NULL as _key
            out.resize(key_at);
            copy_text::append_null(out);
        }
        out += '\t';
        copy_text::append_int(out, m.partition);
        out += '\t';
        copy_text::append_int(out, m.offset);
        out += '\t';
        if (m.timestamp_ms < 0) copy_text::append_null(out);
        else append_timestamp(out, m.timestamp_ms);
        if (key_bytes_) {
            out += '\t';
            if (m.has_key) copy_text::append_bytea(out, m.key);
            else copy_text::append_null(out);
        }
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

bool RowEncoder::as_json(std::string_view value, std::string& buffer, std::string_view& json, std::string& reason) {
    if (!avro_) {
        json = value;
        return true;
    }
    buffer.clear();
    if (!avro_->to_json(value, buffer, reason)) return false;
    json = buffer;
    return true;
}

bool RowEncoder::append_document(const Message& m, std::string& out, std::string& reason) {
    const bool events = envelope_ != Envelope::none || delete_on_tombstone_;
    std::string_view document;  // empty: a tombstone
    if ((!events || !m.value.empty()) && !as_json(m.value, decoded_, document, reason)) return false;
    if (!field_columns_.empty()) list_extra_fields(document);
    if (!events) return append_json(document, out, reason);
    if (!read_event(m, document, reason)) return false;
    if (event_.op == change::Op::skip) {  // nothing to write but the event: NULL document and members
        const size_t fields = (json_document_ ? 1 : 0) + (members_ ? members_->members().size() * (jsonb_ ? 2 : 1) : 0);
        for (size_t i = 0; i < fields; ++i) {
            if (i) out += '\t';
            copy_text::append_null(out);
        }
    } else if (!append_json(event_.image, out, reason)) {
        return false;
    }
    out += '\t';
    out += static_cast<char>(event_.op);
    return true;
}

// Once per process and name; costs a parse per message, so only with -v.
void RowEncoder::list_extra_fields(std::string_view document) {
    static std::mutex mutex;
    static std::set<std::string> listed;
    const auto doc = nlohmann::json::parse(document.begin(), document.end(), nullptr, false);
    if (!doc.is_object()) return;
    const auto& fields = doc.contains("payload") && doc.contains("schema") ? doc["payload"] : doc;
    const auto& image = envelope_ == Envelope::debezium && fields.contains("after") && fields["after"].is_object()
                            ? fields["after"] : fields;
    for (const auto& [name, value] : image.items()) {
        if (std::find(field_columns_.begin(), field_columns_.end(), name) != field_columns_.end()) continue;
        std::lock_guard<std::mutex> lock(mutex);
        if (listed.insert(name).second) log::info("field \"{}\" has no column in the output table: ignored", name);
    }
}

// Avro keys in Confluent's wire format as their JSON (what _key and a delete read); others as they are.
std::string_view RowEncoder::key_text(const Message& m) {
    if (!avro_ || m.key.empty() || m.key[0] != 0) return m.key;
    if (decoded_key_of_ == m.key.data()) return decoded_key_;
    std::string why;
    std::string_view json;
    if (!as_json(m.key, decoded_key_, json, why)) return m.key;  // not Avro after all: checked as text
    decoded_key_of_ = m.key.data();
    return json;
}

bool RowEncoder::read_event(const Message& m, std::string_view document, std::string& reason) {
    const std::string_view key = key_text(m);
    if (envelope_ == Envelope::debezium) return change::read_debezium(document, key, event_, reason);
    if (!document.empty()) {
        event_.op = change::Op::upsert;
        event_.image.assign(document);
        return true;
    }
    return change::read_tombstone(key, m.has_key, match_columns_, event_, reason);
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

void RowEncoder::append_headers(const rd_kafka_headers_t* headers, std::string& out) {
    nlohmann::json doc = nlohmann::json::object();
    const auto text = [](const void* p, size_t n) -> nlohmann::json {
        if (!p) return nullptr;
        const std::string_view s(static_cast<const char*>(p), n);
        if (utf8::invalid_at(s) == std::string_view::npos && s.find('\0') == std::string_view::npos) return std::string(s);
        std::string hex = "\\x";
        for (const unsigned char c : s) hex += fmt::format("{:02x}", c);
        return hex;
    };
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; headers && rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        doc[text(name, std::strlen(name)).get<std::string>()] = text(value, size);
    copy_text::append_text(out, doc.dump());  // valid UTF-8 without NUL by construction
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
