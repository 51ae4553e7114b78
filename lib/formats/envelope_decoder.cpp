#include "formats/envelope_decoder.hpp"

namespace dgkafka::formats {

ChangeEvents::ChangeEvents(const Config& cfg)
    : debezium_(cfg.envelope == Envelope::debezium), match_columns_(cfg.match_columns) {}

bool ChangeEvents::append(const Message& m, std::string_view document, std::string_view key, JsonColumns& columns,
                          std::string& out, std::string& reason) {
    if (!read(m, document, key, reason)) return false;
    if (event_.op == change::Op::skip) {  // nothing to write but the event: NULL document and members
        columns.append_nulls(out);
    } else if (!columns.append(event_.image, out, reason)) {
        return false;
    }
    out += '\t';
    out += static_cast<char>(event_.op);
    return true;
}

bool ChangeEvents::read(const Message& m, std::string_view document, std::string_view key, std::string& reason) {
    if (debezium_) return debezium_reader_.read(document, key, event_, reason);
    if (!document.empty()) {
        event_.op = change::Op::upsert;
        event_.image.assign(document);
        return true;
    }
    return change::read_tombstone(key, m.has_key, match_columns_, event_, reason);
}

}  // namespace dgkafka::formats
