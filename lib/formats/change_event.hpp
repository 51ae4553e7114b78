#pragma once
// A message as a change to one row: an upsert of a row image, a delete of the row a key names, or
// nothing (a tombstone that only compacts the topic). Debezium's envelope
// ({"before", "after", "op", ...}, optionally inside {"schema", "payload"}), or a plain message
// whose tombstone deletes by its key (kafka.output.delete_on_tombstone).
#include <string>
#include <string_view>
#include <vector>

#include "formats/connect_schema.hpp"
#include "formats/json_fields.hpp"

namespace dgkafka::change {

enum class Op : char { upsert = 'u', remove = 'd', skip = 's' };

struct Event {
    Op op = Op::skip;
    std::string image;  // JSON object: the row (upsert) or at least its key columns (remove)
};

// Debezium's change events. With the JSON converter's schema, values are decoded by their logical
// types (connect_schema), with a plan made once per schema.
class DebeziumReader {
  public:
    // `value` and `key` are JSON texts; an empty value is a tombstone. False with `reason` when the
    // message is not a change event or a value cannot be decoded by its schema.
    bool read(std::string_view value, std::string_view key, Event& event, std::string& reason);

  private:
    // The payload of {"schema", "payload"} rewritten by its schema's plan, or the document itself.
    bool parse(std::string_view text, nlohmann::json& doc, std::string& reason);

    connect::Plans plans_;
    json::MemberReader wrapper_{{"schema", "payload"}};
};

// DebeziumReader::read with a reader of its own (no plan kept).
bool read_debezium(std::string_view value, std::string_view key, Event& event, std::string& reason);

// A tombstone (empty value) deletes the row whose match columns equal the key: a JSON object
// holding them, or a bare value for a single match column.
bool read_tombstone(std::string_view key, bool has_key, const std::vector<std::string>& match_columns, Event& event,
                    std::string& reason);

}  // namespace dgkafka::change
