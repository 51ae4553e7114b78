#include "formats/json_schema_decoder.hpp"

#include <fmt/format.h>

#include "avro/registry.hpp"
#include "avro/wire_format.hpp"

namespace dgkafka::formats {

RegisteredJsonDocuments::RegisteredJsonDocuments(const Config& cfg) : registry_(avro::Registry::shared(cfg.avro)) {}

bool RegisteredJsonDocuments::json_schema(int32_t id, std::string& reason) {
    if (const auto it = checked_.find(id); it != checked_.end()) {
        reason = it->second;
        return reason.empty();
    }
    const auto lookup = registry_->schema(id);
    if (lookup.found == avro::Registry::Found::unknown_id) {
        reason = lookup.text;  // not kept: the registry's cache answers the next one
        return false;
    }
    reason = lookup.type == "JSON" ? "" : fmt::format("schema id {} is a {} schema, not JSON Schema", id, lookup.type);
    checked_.emplace(id, reason);
    return reason.empty();
}

bool RegisteredJsonDocuments::read(std::string_view value, std::string_view& document, std::string& reason) {
    int32_t id = 0;
    if (!avro::read_wire_header(value, id, reason, "JSON") || !json_schema(id, reason)) return false;
    document = value;
    return true;
}

std::string_view RegisteredJsonDocuments::key_text(const Message& m) {
    std::string_view key = m.key;
    int32_t id = 0;
    std::string why;
    if (key.empty() || key[0] != 0 || !avro::read_wire_header(key, id, why, "JSON") || !json_schema(id, why))
        return m.key;
    return key;
}

}  // namespace dgkafka::formats
