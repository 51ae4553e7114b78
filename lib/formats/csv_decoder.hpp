#pragma once
// format = "csv": one message is one CSV record, its fields the input columns in order.
#include <string>
#include <string_view>
#include <vector>

#include "formats/csv.hpp"
#include "formats/row_decoder.hpp"

namespace dgkafka::formats {

class CsvDecoder final : public RowDecoder<CsvDecoder> {
  public:
    CsvDecoder(const Config& cfg, bool with_metadata);
    // The loaded fields, ignored columns skipped; a NULL field as \N.
    bool append_fields(const Message& m, std::string& out, std::string& reason);

  private:
    size_t column_count_;
    std::vector<bool> loaded_;  // per input column: false when ignored
    csv::RecordParser parser_;
    std::vector<csv::Field> fields_;
};

}  // namespace dgkafka::formats
