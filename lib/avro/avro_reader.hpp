#pragma once
// format = "avro": one message → its JSON text. Confluent's wire format (magic byte 0, the schema
// id as 4 bytes big-endian, the Avro binary) decoded with the writer schema the registry holds
// for that id, or bare Avro binary with the one schema of kafka.input.avro_schema.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "avro/avro_json.hpp"
#include "avro/registry.hpp"
#include "config/config.hpp"

namespace dgkafka::avro {

class AvroReader {
  public:
    explicit AvroReader(const AvroSettings& settings);  // throws Error(config) for a bad schema file

    // Appends the message as JSON. False with `reason` when it cannot be decoded (a reject);
    // throws RegistryUnavailable when its schema cannot be fetched now.
    bool to_json(std::string_view message, std::string& out, std::string& reason);

  private:
    Schema* writer_schema(int32_t id, std::string& reason);

    std::shared_ptr<Registry> registry_;
    std::unique_ptr<Schema> fixed_;
    std::map<int32_t, std::unique_ptr<Schema>> schemas_;  // this reader's own: avro-c values are not shared
};

}  // namespace dgkafka::avro
