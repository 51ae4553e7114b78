#pragma once
// format = "binary": the message's bytes as one bytea column.
#include <string>

#include "formats/row_decoder.hpp"

namespace dgkafka::formats {

class BinaryDecoder final : public RowDecoder<BinaryDecoder> {
  public:
    BinaryDecoder(const Config& cfg, bool with_metadata) : RowDecoder(cfg, with_metadata) {}
    // A tombstone (no value at all) is NULL, an empty value ''.
    bool append_fields(const Message& m, std::string& out, std::string&) {
        if (m.value.data())
            copy_text::append_bytea(out, m.value);
        else
            copy_text::append_null(out);
        return true;
    }
};

}  // namespace dgkafka::formats
