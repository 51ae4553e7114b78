#pragma once
// What every decoder writes the same way: text checked for PostgreSQL, and the metadata columns
// after the format's own (_headers, _key, _partition, _offset, _timestamp, _key_bytes). RowDecoder
// ends each line once for all formats: a format gives its fields (and, if it decodes keys, the
// key's text), without a virtual call of its own.
#include <cstdint>
#include <string>
#include <string_view>

#include "avro/registry.hpp"
#include "config/config.hpp"
#include "formats/copy_text.hpp"
#include "formats/decoder.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka::formats {

// What a checked text is, for the reason: a field number (from 1), or one of these.
enum CheckedText : int { json_text = 0, message_key = -1 };

// Sets the reason why `value` is not text PostgreSQL can store. Off the hot path.
bool refuse_text(std::string_view value, int what, std::string& reason);

// Appends the text escaped when PostgreSQL can store it: well-formed UTF-8 without NUL bytes.
// Else sets `reason` naming `what` and says false, `out` partly written.
inline bool append_checked_text(std::string_view value, int what, std::string& out, std::string& reason) {
    if (copy_text::append_text(out, value)) return true;  // the fast path checks UTF-8 and NUL too
    return refuse_text(value, what, reason);
}

// The columns after a row's fields.
class MetadataColumns {
  public:
    MetadataColumns(const Config& cfg, bool with_metadata);
    bool reads_headers() const { return headers_; }

    // Appends them, each after a tab. key_text() gives the key as text (Avro: decoded); called
    // only when _key is written. False with `reason` when _key is used and the key is not text.
    template <class KeyText>
    bool append(const Message& m, KeyText&& key_text, std::string& out, std::string& reason) {
        if (headers_) {
            out += '\t';
            append_headers(m.headers, out);
        }
        if (!with_metadata_) return true;
        out += '\t';
        const size_t key_at = out.size();
        if (!m.has_key) {
            copy_text::append_null(out);
        } else if (!append_checked_text(key_text(), message_key, out, reason)) {
            if (key_text_needed_) return false;
            out.resize(key_at);  // only _key_bytes is used: a key that is not text is NULL as _key
            copy_text::append_null(out);
        }
        append_position(m, out);
        return true;
    }

  private:
    // _headers: a JSON object {"name": "value"}, the last of a repeated name winning, non-UTF-8 as \x hex.
    static void append_headers(const rd_kafka_headers_t* headers, std::string& out);
    // _partition, _offset, _timestamp, and _key_bytes if written.
    void append_position(const Message& m, std::string& out);
    void append_timestamp(std::string& out, int64_t ms);

    bool headers_;
    bool with_metadata_;
    bool key_bytes_;        // _key_bytes is written: the key as bytea
    bool key_text_needed_;  // a key that is not text rejects the message (else _key is NULL)
    int64_t cached_second_ = INT64_MIN;
    std::string cached_prefix_;  // "YYYY-MM-DD HH:MM:SS" of cached_second_
};

// The line of one message: Format's fields, then the metadata columns, then the newline; nothing
// of it when either refuses. Format (CRTP) has
//   bool append_fields(const Message&, std::string& out, std::string& reason);
//   std::string_view key_text(const Message&);  // optional: the key as it is by default
template <class Format>
class RowDecoder : public Decoder {
  public:
    Encoded encode(const Message& m, std::string& out, std::string& reason) final {
        const size_t mark = out.size();
        auto& format = static_cast<Format&>(*this);
        const auto key_text = [&] { return format.key_text(m); };
        try {
            if (format.append_fields(m, out, reason) && metadata_.append(m, key_text, out, reason)) {
                out += '\n';
                return Encoded::row;
            }
            out.resize(mark);
            return Encoded::rejected;
        } catch (const avro::RegistryUnavailable& e) {  // a schema's registry is out, not the message's fault
            out.resize(mark);
            reason = e.what();
            return Encoded::unavailable;
        }
    }
    bool reads_headers() const final { return metadata_.reads_headers(); }
    std::string_view key_text(const Message& m) { return m.key; }

  protected:
    RowDecoder(const Config& cfg, bool with_metadata) : metadata_(cfg, with_metadata) {}

  private:
    MetadataColumns metadata_;
};

}  // namespace dgkafka::formats
