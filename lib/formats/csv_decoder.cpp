#include "formats/csv_decoder.hpp"

#include <fmt/format.h>

namespace dgkafka::formats {

CsvDecoder::CsvDecoder(const Config& cfg, bool with_metadata)
    : RowDecoder(cfg, with_metadata), column_count_(cfg.columns.size()), parser_(cfg.delimiter) {
    for (const auto& c : cfg.columns) loaded_.push_back(!c.ignored);
}

bool CsvDecoder::append_fields(const Message& m, std::string& out, std::string& reason) {
    if (!parser_.parse(m.value, fields_, reason)) return false;
    if (fields_.size() != column_count_) {
        reason = fmt::format("{} fields, expected {}", fields_.size(), column_count_);
        return false;
    }
    bool first = true;
    for (size_t i = 0; i < fields_.size(); ++i) {
        if (!loaded_[i]) continue;
        if (!first) out += '\t';
        first = false;
        if (fields_[i].is_null()) {
            copy_text::append_null(out);
        } else if (!append_checked_text(fields_[i].value, static_cast<int>(i + 1), out, reason)) {
            return false;
        }
    }
    return true;
}

}  // namespace dgkafka::formats
