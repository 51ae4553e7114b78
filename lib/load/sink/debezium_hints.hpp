#pragma once
// Debezium without a schema (value.converter.schemas.enable = false): nothing says how a value
// was encoded, and Debezium's defaults encode some in a form their column cannot read (a decimal
// as base64 of its unscaled bytes, "C+o="; a date or time as a number of days or microseconds).
// When the database refuses such a row as data (SQLSTATE class 22), the reject names each field
// of the event whose value is such an encoding for its column's type, and the Debezium setting
// that sends it loadable. dgkafka reads the event itself: PostgreSQL's message may be in any
// language and is never parsed.
#include <map>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace dgkafka::load {

class DebeziumHints {
  public:
    // column_types: fields to columns, each column's type where the field's text is cast to it
    // (LoadStatements::field_types). Says nothing unless envelope = "debezium".
    DebeziumHints(const Config& cfg, std::map<std::string, std::string> column_types);

    // For a refused row's message value: what to change, or "" when nothing here explains it
    // (another SQLSTATE, a schema in the event, values that are not Debezium's encodings).
    std::string explain(std::string_view value, std::string_view sqlstate) const;

  private:
    std::map<std::string, std::string> types_;  // empty: no hint ever
};

}  // namespace dgkafka::load
