#pragma once
// Avro binary → JSON text, with the writer's schema, in the shapes PostgreSQL reads: logical types
// as text (decimal exact, timestamps ISO 8601 UTC, date, time, uuid), bytes and fixed as bytea hex
// (`"\\x…"`), enums as their symbol, unions as the value itself. avro-c reads the binary; it does not
// know logical types (1.11), so they are taken from the schema's JSON here.
#include <memory>
#include <string>
#include <string_view>

namespace dgkafka::avro {

class Schema {
  public:
    // Nullptr with `error` when the text is not an Avro schema.
    static std::unique_ptr<Schema> parse(std::string_view json, std::string& error);
    ~Schema();
    Schema(const Schema&) = delete;
    Schema& operator=(const Schema&) = delete;

    // Appends one datum (the whole of `body`) as JSON. False with `reason` when the bytes are not
    // one datum of this schema (truncated, trailing bytes, invalid UTF-8 in a string).
    bool to_json(std::string_view body, std::string& out, std::string& reason);

  private:
    Schema() = default;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dgkafka::avro
