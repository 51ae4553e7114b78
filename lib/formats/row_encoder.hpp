#pragma once
// Turns one Kafka message into one COPY text line for the staging or the output table.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "formats/change_event.hpp"
#include "formats/csv.hpp"
#include "formats/json_fields.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka {
namespace avro {
class AvroReader;
}

// JSON input into one `jsonb` column: members read by dgkafka get two staging columns each, the
// member's text when it is jsonb's text too, else its JSON for PostgreSQL to turn into jsonb.
bool jsonb_input(const Config& cfg);

class RowEncoder {
public:
    // with_metadata: also write _key, _partition, _offset, _timestamp (the staging table's tail),
    // and _key_bytes when a mapping or the filter uses it.
    // json_members: JSON input only, top-level members written after the document as ->> would
    // read them (JsonPushdown); json_document: whether the document itself is written.
    RowEncoder(const Config& cfg, bool with_metadata, std::vector<std::string> json_members = {},
               bool json_document = true);
    ~RowEncoder();

    // Appends the line (with its newline) and says `row`. Else sets `reason`, leaves `out` as it
    // was, and says `rejected` (the message is malformed) or `unavailable` (Avro: the message's
    // schema cannot be fetched now; a later attempt may succeed).
    Encoded encode(const Message& m, std::string& out, std::string& reason);
    bool reads_headers() const { return headers_; }

private:
    bool append(const Message& m, std::string& out, std::string& reason);  // throws avro::RegistryUnavailable
    bool append_csv(std::string_view value, std::string& out, std::string& reason);
    bool append_json(std::string_view value, std::string& out, std::string& reason);
    // json and avro: the document, or with an envelope or delete_on_tombstone the row image and the event.
    bool append_document(const Message& m, std::string& out, std::string& reason);
    // The value as JSON: Avro decoded into `buffer`, JSON as it is (no copy).
    bool as_json(std::string_view value, std::string& buffer, std::string_view& json, std::string& reason);
    bool read_event(const Message& m, std::string_view document, std::string& reason);
    bool append_member(const json::Member& m, std::string& out, std::string& reason);
    // Text PostgreSQL can store: well-formed UTF-8 without NUL bytes. `what` names the value in
    // the reason: a field number, or one of:
    static constexpr int json_text = 0, message_key = -1;
    static bool append_checked_text(std::string_view value, int what, std::string& out, std::string& reason);
    void append_timestamp(std::string& out, int64_t ms);
    // _headers: a JSON object {"name": "value"}, the last of a repeated name winning, non-UTF-8 as \x hex.
    void append_headers(const rd_kafka_headers_t* headers, std::string& out);
    bool headers_ = false;

    Format format_;
    bool with_metadata_;
    bool key_bytes_;       // _key_bytes is written: the key as bytea
    bool key_text_needed_; // a key that is not text rejects the message (else _key is NULL)
    size_t column_count_;
    std::vector<bool> loaded_;  // per input column: false when ignored
    bool json_document_;
    bool jsonb_;
    std::optional<json::MemberReader> members_;
    std::string unescaped_;
    std::unique_ptr<avro::AvroReader> avro_;
    std::string decoded_, decoded_key_;  // Avro as JSON
    const char* decoded_key_of_ = nullptr;  // the key bytes decoded_key_ holds
    std::string_view key_text(const Message& m);
    Envelope envelope_;
    bool delete_on_tombstone_;
    std::vector<std::string> match_columns_;
    change::Event event_;
    std::vector<std::string> field_columns_;  // -v with fields to columns: fields without one are listed
    bool object_required_ = false;            // fields to columns: a document that is not an object is rejected
    void list_extra_fields(std::string_view document);
    csv::RecordParser parser_;
    std::vector<csv::Field> fields_;
    int64_t cached_second_ = INT64_MIN;
    std::string cached_prefix_;  // "YYYY-MM-DD HH:MM:SS" of cached_second_
};

}  // namespace dgkafka
