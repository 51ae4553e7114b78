#pragma once
// format = "json" with a schema_registry: JSON Schema producers' messages, Confluent's wire format
// (magic byte 0, the schema id, the JSON text). The prefix is checked (the id names a JSON
// schema in the registry) and taken off; the JSON is then read as any JSON document. The schema
// validates nothing.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "formats/json_decoder.hpp"

namespace dgkafka::avro {
class Registry;
}

namespace dgkafka::formats {

// Documents of DocumentDecoder and EnvelopeDecoder; read() throws avro::RegistryUnavailable when
// the registry cannot say now whether the id is a JSON schema.
class RegisteredJsonDocuments {
  public:
    explicit RegisteredJsonDocuments(const Config& cfg);

    void begin() {}
    bool read(std::string_view value, std::string_view& document, std::string& reason);
    // A key in the wire format without its prefix; others as they are.
    std::string_view key_text(const Message& m);

  private:
    bool json_schema(int32_t id, std::string& reason);

    std::shared_ptr<avro::Registry> registry_;
    std::map<int32_t, std::string> checked_;  // id → "" (a JSON schema) or why not
};

}  // namespace dgkafka::formats
