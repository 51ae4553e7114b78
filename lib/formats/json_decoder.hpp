#pragma once
// format = "json", and what every format of JSON documents shares (Avro is decoded to one):
// JsonColumns writes a document's columns, DocumentDecoder<Documents> writes a message whose
// value is one document. EnvelopeDecoder (envelope_decoder.hpp) reads it as a change event instead.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/json_fields.hpp"
#include "formats/row_decoder.hpp"

namespace dgkafka::formats {

// The columns of one JSON document: its text (unless only members are written), then each
// member dgkafka reads (JsonPushdown) as ->> gives it; for a jsonb column two per member.
class JsonColumns {
  public:
    JsonColumns(const Config& cfg, std::vector<std::string> members, bool document);

    // False with `reason` when the document is not JSON PostgreSQL takes (or, with fields to
    // columns, not an object), `out` partly written.
    bool append(std::string_view document, std::string& out, std::string& reason);
    // As many NULLs as append writes columns: a change event without a row image.
    void append_nulls(std::string& out) const;

    // With -v and fields to columns, logs once per process each top-level field that has no
    // column (in Debezium's "after" when `debezium`). Costs a parse per message, so only with -v.
    void note_fields(std::string_view document, bool debezium) const {
        if (!field_columns_.empty()) list_extra_fields(document, debezium);
    }

  private:
    bool append_member(const json::Member& m, std::string& out, std::string& reason);
    void list_extra_fields(std::string_view document, bool debezium) const;

    bool document_;  // the document's text is written
    bool jsonb_;
    bool object_required_;  // fields to columns: a document that is not an object is rejected
    std::optional<json::MemberReader> members_;
    std::string unescaped_;
    std::vector<std::string> field_columns_;  // -v with fields to columns: fields without one are listed
};

// JSON documents as they come: the value is the document, the key its own text.
struct JsonDocuments {
    explicit JsonDocuments(const Config&) {}
    void begin() {}  // a new message
    bool read(std::string_view value, std::string_view& document, std::string&) {
        document = value;
        return true;
    }
    std::string_view key_text(const Message& m) const { return m.key; }
};

// A message whose value is one JSON document, given by Documents (JsonDocuments, AvroDocuments):
//   void begin();  // a new message: caches of the last one are stale
//   bool read(std::string_view value, std::string_view& document, std::string& reason);
//   std::string_view key_text(const Message&);  // the key as JSON text when it is one
template <class Documents>
class DocumentDecoder final : public RowDecoder<DocumentDecoder<Documents>> {
  public:
    DocumentDecoder(const Config& cfg, bool with_metadata, std::vector<std::string> members, bool document)
        : RowDecoder<DocumentDecoder>(cfg, with_metadata),
          documents_(cfg),
          columns_(cfg, std::move(members), document) {}

    bool append_fields(const Message& m, std::string& out, std::string& reason) {
        documents_.begin();
        std::string_view document;
        if (!documents_.read(m.value, document, reason)) return false;
        columns_.note_fields(document, false);
        return columns_.append(document, out, reason);
    }
    std::string_view key_text(const Message& m) { return documents_.key_text(m); }

  private:
    Documents documents_;
    JsonColumns columns_;
};

using JsonDecoder = DocumentDecoder<JsonDocuments>;

}  // namespace dgkafka::formats
