#pragma once
// format = "protobuf": each value (and a key in Confluent's wire format) decoded into its JSON
// text (protobuf_reader), then written as a JSON document is (DocumentDecoder).
#include <memory>
#include <string>
#include <string_view>

#include "formats/json_decoder.hpp"

namespace dgkafka::formats {

namespace protobuf {
class Reader;
}

// Documents of DocumentDecoder and EnvelopeDecoder. read() and key_text() throw
// avro::RegistryUnavailable when a schema cannot be fetched now.
class ProtobufDocuments {
  public:
    explicit ProtobufDocuments(const Config& cfg);
    ~ProtobufDocuments();

    void begin() { decoded_key_of_ = nullptr; }
    bool read(std::string_view value, std::string_view& document, std::string& reason);
    // A key in Confluent's wire format as its JSON (what _key and a delete read); others as they are.
    std::string_view key_text(const Message& m);

  private:
    std::unique_ptr<protobuf::Reader> reader_;
    bool registry_;
    std::string decoded_, decoded_key_;
    const char* decoded_key_of_ = nullptr;  // the key bytes decoded_key_ holds
};

using ProtobufDecoder = DocumentDecoder<ProtobufDocuments>;

}  // namespace dgkafka::formats
