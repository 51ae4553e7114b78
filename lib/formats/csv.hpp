#pragma once
// RFC 4180 CSV with any delimiter (one byte, or a string as the manual's delimiter_string): quoted fields may hold the
// delimiter, quotes ("") and line breaks; an empty unquoted field is NULL, an empty quoted field ("") is an empty
// string.
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dgkafka::csv {

struct Field {
    std::string_view value;
    bool quoted = false;
    bool is_null() const { return !quoted && value.empty(); }
};

// Splits one record held in memory (a Kafka message). Views point into the record or into the
// parser's own buffer, valid until the next parse().
class RecordParser {
  public:
    explicit RecordParser(std::string delimiter) : delimiter_(std::move(delimiter)) {}
    explicit RecordParser(char delimiter) : delimiter_(1, delimiter) {}
    // False, with `error` set, for an unclosed quote or text after a closing quote.
    bool parse(std::string_view record, std::vector<Field>& fields, std::string& error);

  private:
    size_t delimiter_at(std::string_view record, size_t from) const;  // record.size() when none

    std::string delimiter_;
    std::string unescaped_;
};

// Reads records from a stream (a CSV file): CRLF or LF line ends, quoted line breaks.
class Reader {
  public:
    Reader(std::istream& in, char delimiter) : in_(in), parser_(delimiter) {}
    Reader(std::istream& in, std::string delimiter) : in_(in), parser_(std::move(delimiter)) {}
    // False at end of input. Throws std::runtime_error naming the line of a malformed record.
    bool next(std::vector<Field>& fields);

    // The same in two steps, for callers that can use a record's text as it is:
    bool read_record();  // false at end of input; throws on an unclosed quote
    std::string_view record() const { return record_; }
    bool has_quotes() const { return quotes_ > 0; }
    void split_record(std::vector<Field>& fields);  // throws naming the line

    size_t record_line() const { return record_line_; }  // first line of the last record
    size_t next_line() const { return line_no_ + 1; }    // where the next record starts

  private:
    std::istream& in_;
    RecordParser parser_;
    std::string record_, line_;
    size_t line_no_ = 0, record_line_ = 0, quotes_ = 0;
};

// Appends one field, quoted only where needed; `quoted_empty` keeps "" distinct from NULL.
void append_field(std::string& out, std::string_view value, std::string_view delimiter, bool quoted_empty = false);
inline void append_field(std::string& out, std::string_view value, char delimiter, bool quoted_empty = false) {
    append_field(out, value, std::string_view(&delimiter, 1), quoted_empty);
}

}  // namespace dgkafka::csv
