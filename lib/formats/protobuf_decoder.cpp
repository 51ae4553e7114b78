#include "formats/protobuf_decoder.hpp"

#include "formats/protobuf_reader.hpp"

namespace dgkafka::formats {

ProtobufDocuments::ProtobufDocuments(const Config& cfg)
    : reader_(std::make_unique<protobuf::Reader>(cfg)), registry_(!cfg.avro.registry_urls.empty()) {}

ProtobufDocuments::~ProtobufDocuments() = default;

bool ProtobufDocuments::read(std::string_view value, std::string_view& document, std::string& reason) {
    decoded_.clear();
    if (!reader_->to_json(value, decoded_, reason)) return false;
    document = decoded_;
    return true;
}

std::string_view ProtobufDocuments::key_text(const Message& m) {
    if (!registry_ || m.key.empty() || m.key[0] != 0) return m.key;
    if (decoded_key_of_ == m.key.data()) return decoded_key_;
    std::string why;
    decoded_key_.clear();
    if (!reader_->to_json(m.key, decoded_key_, why)) return m.key;  // not Protobuf after all: checked as text
    decoded_key_of_ = m.key.data();
    return decoded_key_;
}

}  // namespace dgkafka::formats
