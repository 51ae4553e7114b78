#include "avro/avro_reader.hpp"

#include <fmt/format.h>

#include "util/errors.hpp"

namespace dgkafka::avro {

namespace {
constexpr size_t wire_header = 5;  // magic byte + schema id
}

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
    if (message.size() < wire_header) {
        reason = fmt::format("{} bytes: too short for Confluent's wire format (magic byte 0, schema id, Avro binary)",
                             message.size());
        return false;
    }
    if (message[0] != 0) {
        reason = fmt::format("magic byte {} is not 0: not Confluent's wire format", static_cast<unsigned char>(message[0]));
        return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(message.data());
    const auto id = static_cast<int32_t>((uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) | p[4]);
    Schema* schema = writer_schema(id, reason);
    if (!schema) return false;
    if (schema->to_json(message.substr(wire_header), out, reason)) return true;
    reason = fmt::format("schema id {}: {}", id, reason);
    return false;
}

}  // namespace dgkafka::avro
