#include "avro/avro_reader.hpp"

#include <fmt/format.h>

#include "avro/wire_format.hpp"
#include "util/errors.hpp"

namespace dgkafka::avro {

AvroReader::AvroReader(const AvroSettings& settings) {
    if (!settings.registry_urls.empty()) {
        registry_ = Registry::shared(settings);
        return;
    }
    std::string error;
    fixed_ = Schema::parse(settings.schema_text, error);
    if (!fixed_) throw Error(Exit::config, fmt::format("kafka.input.avro_schema: {}: {}", settings.schema_file, error));
}

Schema* AvroReader::writer_schema(int32_t id, std::string& reason) {
    if (const auto it = schemas_.find(id); it != schemas_.end()) {
        if (!it->second) reason = fmt::format("schema id {}: not a usable Avro schema", id);
        return it->second.get();
    }
    const auto lookup = registry_->schema(id);
    std::unique_ptr<Schema> schema;
    if (lookup.found == Registry::Found::unknown_id) {
        reason = lookup.text;
    } else if (lookup.type != "AVRO") {
        reason = fmt::format("schema id {} is a {} schema, not Avro", id, lookup.type);
    } else {
        std::string error;
        schema = Schema::parse(lookup.text, error);
        if (!schema) reason = fmt::format("schema id {}: {}", id, error);
    }
    auto* raw = schema.get();
    if (lookup.found == Registry::Found::schema) schemas_.emplace(id, std::move(schema));
    return raw;
}

bool AvroReader::to_json(std::string_view message, std::string& out, std::string& reason) {
    if (fixed_) return fixed_->to_json(message, out, reason);
    int32_t id = 0;
    if (!read_wire_header(message, id, reason, "Avro binary")) return false;
    Schema* schema = writer_schema(id, reason);
    if (!schema) return false;
    if (schema->to_json(message, out, reason)) return true;
    reason = fmt::format("schema id {}: {}", id, reason);
    return false;
}

}  // namespace dgkafka::avro
