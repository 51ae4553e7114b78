#include "formats/avro_decoder.hpp"

#include "avro/avro_reader.hpp"

namespace dgkafka::formats {

AvroDocuments::AvroDocuments(const Config& cfg) : reader_(std::make_unique<avro::AvroReader>(cfg.avro)) {}

AvroDocuments::~AvroDocuments() = default;

bool AvroDocuments::read(std::string_view value, std::string_view& document, std::string& reason) {
    decoded_.clear();
    if (!reader_->to_json(value, decoded_, reason)) return false;
    document = decoded_;
    return true;
}

std::string_view AvroDocuments::key_text(const Message& m) {
    if (m.key.empty() || m.key[0] != 0) return m.key;
    if (decoded_key_of_ == m.key.data()) return decoded_key_;
    std::string why;
    decoded_key_.clear();
    if (!reader_->to_json(m.key, decoded_key_, why)) return m.key;  // not Avro after all: checked as text
    decoded_key_of_ = m.key.data();
    return decoded_key_;
}

}  // namespace dgkafka::formats
