#pragma once
// Kafka Connect's JSON converter with schemas.enable: each key and value is {"schema", "payload"},
// and the schema names the logical type of each field ("name": "org.apache.kafka.connect.data.Decimal",
// "io.debezium.time.MicroTimestamp", ...; "parameters": {"scale": "2"}). A Plan, made once per
// schema, rewrites a payload's values into what PostgreSQL reads for their columns: decimals exact
// (as strings: a JSON number would pass through a double),
// dates 'YYYY-MM-DD', times 'HH:MM:SS.ffffff', timestamps 'YYYY-MM-DD HH:MM:SS.ffffff', JSON held
// in a string as that JSON, bytes as bytea hex, bits as a bit string. Types carried as text
// (ZonedTimestamp, Uuid, Xml, Enum, ...) and plain numbers are left as they are.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dgkafka::connect {

class Plan {
  public:
    // False with `reason` naming the field when the schema is not one (a decimal's scale that is
    // not a number, a struct without fields, nesting deeper than 100 levels).
    static bool make(const nlohmann::json& schema, Plan& plan, std::string& reason);

    // Nothing to rewrite: the payload is loaded as it comes.
    bool empty() const { return kind_ == Kind::keep; }

    // Rewrites `value` in place. False with `reason` naming the field and why (not base64, out of
    // range, ...), `value` partly rewritten.
    bool apply(nlohmann::json& value, std::string& reason) const;

  private:
    enum class Kind : uint8_t {
        keep,
        decimal,           // base64 unscaled bytes, scale_
        variable_decimal,  // {"scale": n, "value": base64}
        date,              // days since 1970-01-01
        time,              // units since midnight
        timestamp,         // units since the epoch, no zone
        json_text,         // a string holding JSON
        bytes,             // base64 -> bytea hex
        bits,              // base64 of little-endian bits, bits_ long (-1: all)
        record,            // fields_
        array,             // items_[0] for each item
        map                // items_[0] for each value
    };
    static bool build(const nlohmann::json& schema, const std::string& path, int depth, Plan& plan,
                      std::string& reason);
    bool apply_at(nlohmann::json& value, const std::string& path, std::string& reason) const;
    bool fail(const nlohmann::json& value, const std::string& path, const char* why, std::string& reason) const;

    Kind kind_ = Kind::keep;
    std::string type_name_;  // the schema's "name", for reasons
    int scale_ = 0;
    int64_t per_second_ = 1;  // time, timestamp: the units
    int64_t bits_ = -1;
    std::vector<std::pair<std::string, Plan>> fields_;  // record: only the fields with something to do
    std::vector<Plan> items_;
};

// The plans of the schemas seen, by the schema's text: each schema is read once per decoder.
class Plans {
  public:
    // The plan of this schema text; nullptr with `reason` when it is not a schema.
    const Plan* find(std::string_view schema_text, std::string& reason);

  private:
    struct Entry {
        Plan plan;
        std::string error;  // not a schema: every message of it is rejected with this
    };
    std::unordered_map<std::string, std::unique_ptr<Entry>> plans_;
};

// Base64 (RFC 4648, padding optional) into bytes; false when it is not.
bool base64_decode(std::string_view text, std::string& bytes);

}  // namespace dgkafka::connect
