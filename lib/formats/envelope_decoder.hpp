#pragma once
// A message as a change event (kafka.input.envelope = "debezium", or kafka.output.delete_on_tombstone),
// a layer over the JSON documents of any format: the row image's columns as JsonColumns writes
// them (NULLs when there is none), then the operation (change::Op: u, d or s).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/change_event.hpp"
#include "formats/json_decoder.hpp"

namespace dgkafka::formats {

class ChangeEvents {
  public:
    explicit ChangeEvents(const Config& cfg);
    bool debezium() const { return debezium_; }

    // document: the value as JSON, empty for a tombstone; key: the key as JSON text.
    bool append(const Message& m, std::string_view document, std::string_view key, JsonColumns& columns,
                std::string& out, std::string& reason);

  private:
    bool read(const Message& m, std::string_view document, std::string_view key, std::string& reason);

    bool debezium_;
    std::vector<std::string> match_columns_;
    change::DebeziumReader debezium_reader_;
    change::Event event_;
};

// Documents as for DocumentDecoder (json_decoder.hpp).
template <class Documents>
class EnvelopeDecoder final : public RowDecoder<EnvelopeDecoder<Documents>> {
  public:
    EnvelopeDecoder(const Config& cfg, bool with_metadata, std::vector<std::string> members, bool document)
        : RowDecoder<EnvelopeDecoder>(cfg, with_metadata),
          documents_(cfg),
          columns_(cfg, std::move(members), document),
          events_(cfg) {}

    bool append_fields(const Message& m, std::string& out, std::string& reason) {
        documents_.begin();
        std::string_view document;  // empty: a tombstone
        if (!m.value.empty() && !documents_.read(m.value, document, reason)) return false;
        columns_.note_fields(document, events_.debezium());
        return events_.append(m, document, documents_.key_text(m), columns_, out, reason);
    }
    std::string_view key_text(const Message& m) { return documents_.key_text(m); }

  private:
    Documents documents_;
    JsonColumns columns_;
    ChangeEvents events_;
};

}  // namespace dgkafka::formats
