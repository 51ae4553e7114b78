#include "formats/decoder.hpp"

#include <utility>

#include "formats/avro_decoder.hpp"
#include "formats/binary_decoder.hpp"
#include "formats/csv_decoder.hpp"
#include "formats/envelope_decoder.hpp"
#include "formats/json_decoder.hpp"
#include "formats/json_schema_decoder.hpp"
#include "formats/protobuf_decoder.hpp"
#include "util/text.hpp"

namespace dgkafka::formats {

namespace {
// A format of JSON documents: each a row, or with an envelope or delete_on_tombstone a change event.
template <class Documents>
std::unique_ptr<Decoder> documents(const Config& cfg, bool with_metadata, std::vector<std::string> json_members,
                                   bool json_document) {
    if (cfg.envelope != Envelope::none || cfg.delete_on_tombstone)
        return std::make_unique<EnvelopeDecoder<Documents>>(cfg, with_metadata, std::move(json_members), json_document);
    return std::make_unique<DocumentDecoder<Documents>>(cfg, with_metadata, std::move(json_members), json_document);
}
}  // namespace

std::unique_ptr<Decoder> make_decoder(const Config& cfg, bool with_metadata, std::vector<std::string> json_members,
                                      bool json_document) {
    switch (cfg.format) {
        case Format::csv:
            return std::make_unique<CsvDecoder>(cfg, with_metadata);
        case Format::binary:
            return std::make_unique<BinaryDecoder>(cfg, with_metadata);
        case Format::json:
            if (!cfg.avro.registry_urls.empty())
                return documents<RegisteredJsonDocuments>(cfg, with_metadata, std::move(json_members), json_document);
            return documents<JsonDocuments>(cfg, with_metadata, std::move(json_members), json_document);
        case Format::avro:
            return documents<AvroDocuments>(cfg, with_metadata, std::move(json_members), json_document);
        case Format::protobuf:
            return documents<ProtobufDocuments>(cfg, with_metadata, std::move(json_members), json_document);
    }
    return nullptr;  // not reached: every format has its case
}

bool jsonb_input(const Config& cfg) {
    const auto loaded = cfg.loaded_columns();
    return json_documents(cfg.format) && loaded.size() == 1 && text::lower(text::trim(loaded[0]->type)) == "jsonb";
}

}  // namespace dgkafka::formats
