#pragma once
// One Kafka message into one COPY text line for the staging or the output table. One decoder per
// format (csv_decoder, json_decoder, binary_decoder, avro_decoder, protobuf_decoder; json with a
// schema registry: json_schema_decoder), chosen once at start by make_decoder; the change-event
// envelope (envelope_decoder) is a layer over the JSON documents of json and avro. What every decoder writes the same
// way (metadata columns, checked text) is in row_decoder.
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka::formats {

class Decoder {
  public:
    virtual ~Decoder() = default;

    // Appends the line (with its newline) and says `row`. Else sets `reason`, leaves `out` as it
    // was, and says `rejected` (the message is malformed) or `unavailable` (Avro: the message's
    // schema cannot be fetched now; a later attempt may succeed).
    virtual Encoded encode(const Message& m, std::string& out, std::string& reason) = 0;

    // Whether it writes _headers: the consumer must then hand out each message's headers.
    virtual bool reads_headers() const = 0;
};

// The decoder of cfg.format (and cfg.envelope).
// with_metadata: also write _key, _partition, _offset, _timestamp (the staging table's tail),
// and _key_bytes when a mapping or the filter uses it.
// json_members: JSON input only, top-level members written after the document as ->> would
// read them (JsonPushdown); json_document: whether the document itself is written.
std::unique_ptr<Decoder> make_decoder(const Config& cfg, bool with_metadata, std::vector<std::string> json_members = {},
                                      bool json_document = true);

// JSON input into one `jsonb` column: members read by dgkafka get two staging columns each, the
// member's text when it is jsonb's text too, else its JSON for PostgreSQL to turn into jsonb.
bool jsonb_input(const Config& cfg);

}  // namespace dgkafka::formats
