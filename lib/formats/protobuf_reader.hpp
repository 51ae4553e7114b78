#pragma once
// format = "protobuf": one message → its JSON text (protobuf_json). Confluent's wire format
// (magic byte 0, the schema id, the message-index list naming the type in the schema's file,
// the message) decoded with the .proto the registry holds for that id and the schemas it
// references, or plain messages of one type from a local .proto file. The .proto text is parsed
// at run time by libprotobuf (DescriptorPool over the schema texts and the well-known types) and
// each message parsed by a DynamicMessage of its type.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::avro {
class Registry;
}

namespace google::protobuf {
class Descriptor;
}

namespace dgkafka::formats::protobuf {

// Most message indexes a list may hold: a message nested deeper is not one a schema declares.
constexpr size_t max_message_indexes = 64;

// Reads the message-index list at the front of `body` (after the schema id) and moves past it:
// zigzag varints, a count then that many indexes; the single byte 0 stands for [0]. False with
// `reason` when it is truncated, negative or longer than max_message_indexes.
bool read_message_indexes(std::string_view& body, std::vector<int>& indexes, std::string& reason);

class Reader {
  public:
    // Throws Error(config) when protobuf_file cannot be parsed or has no protobuf_message.
    explicit Reader(const Config& cfg);
    ~Reader();

    // Appends the message as JSON. False with `reason` when it cannot be decoded (a reject);
    // throws avro::RegistryUnavailable when its schema cannot be fetched now.
    bool to_json(std::string_view message, std::string& out, std::string& reason);

    // The type of the messages a schema describes when they do not say: protobuf_message of
    // protobuf_file (`id` unused), else the first message of registry schema `id` (what a
    // message-index list of [0] names). nullptr with `reason` when there is none; throws as to_json.
    const google::protobuf::Descriptor* value_type(int32_t id, std::string& reason);

    struct Schema;  // one compiled .proto with its imports (protobuf_reader.cpp)

  private:
    Schema* schema(int32_t id, std::string& reason);

    std::shared_ptr<avro::Registry> registry_;
    std::unique_ptr<Schema> fixed_;                       // protobuf_file
    std::map<int32_t, std::unique_ptr<Schema>> schemas_;  // by id; null: not a usable Protobuf schema
    std::map<int32_t, std::string> unusable_;             // why, by id
    std::vector<int> indexes_;
};

}  // namespace dgkafka::formats::protobuf
