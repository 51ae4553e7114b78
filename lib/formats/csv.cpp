#include "formats/csv.hpp"

#include <algorithm>
#include <stdexcept>

namespace dgkafka::csv {

bool RecordParser::parse(std::string_view record, std::vector<Field>& fields, std::string& error) {
    fields.clear();
    // A producer's trailing line break is not part of the last field.
    if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
    if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
    unescaped_.clear();
    unescaped_.reserve(record.size());  // views into it must never be invalidated by growth

    size_t i = 0;
    const size_t n = record.size();
    while (true) {
        if (i < n && record[i] == '"') {
            const size_t start = unescaped_.size();
            ++i;
            while (true) {
                const size_t q = record.find('"', i);
                if (q == std::string_view::npos) {
                    error = "unclosed quote";
                    return false;
                }
                unescaped_.append(record.substr(i, q - i));
                if (q + 1 < n && record[q + 1] == '"') {
                    unescaped_ += '"';
                    i = q + 2;
                    continue;
                }
                i = q + 1;
                break;
            }
            fields.push_back({std::string_view(unescaped_).substr(start), true});
            if (i == n) return true;
            if (record[i] != delimiter_) {
                error = "text after a closing quote in field " + std::to_string(fields.size());
                return false;
            }
            ++i;
            continue;
        }
        const size_t d = record.find(delimiter_, i);
        if (d == std::string_view::npos) {
            fields.push_back({record.substr(i), false});
            return true;
        }
        fields.push_back({record.substr(i, d - i), false});
        i = d + 1;
    }
}

bool Reader::next(std::vector<Field>& fields) {
    record_.clear();
    size_t quotes = 0;
    while (true) {
        if (!std::getline(in_, line_)) {
            if (record_.empty()) return false;
            throw std::runtime_error("line " + std::to_string(record_line_) + ": unclosed quote");
        }
        ++line_no_;
        if (record_.empty() && quotes == 0) record_line_ = line_no_;
        else record_ += '\n';
        record_ += line_;
        quotes += static_cast<size_t>(std::count(line_.begin(), line_.end(), '"'));
        if (quotes % 2 == 0) break;  // quotes balance: the record ends on this line
    }
    // CRLF ends the record; a CRLF inside a quoted field is data and stays.
    if (!record_.empty() && record_.back() == '\r') record_.pop_back();
    std::string error;
    if (!parser_.parse(record_, fields, error))
        throw std::runtime_error("line " + std::to_string(record_line_) + ": " + error);
    return true;
}

void append_field(std::string& out, std::string_view value, char delimiter, bool quoted_empty) {
    const bool needs_quotes = (value.empty() && quoted_empty) ||
                              value.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string_view::npos;
    if (!needs_quotes) {
        out.append(value);
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace dgkafka::csv
