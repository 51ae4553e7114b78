#include "formats/csv.hpp"

#include <algorithm>
#include <stdexcept>

namespace dgkafka::csv {

size_t RecordParser::delimiter_at(std::string_view record, size_t from) const {
    const size_t n = record.size();
    if (delimiter_.size() == 1) {  // fields are short: a plain loop beats a memchr call per field
        const char d = delimiter_[0];
        while (from < n && record[from] != d) ++from;
        return from;
    }
    const size_t at = record.find(delimiter_, from);
    return at == std::string_view::npos ? n : at;
}

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
            if (record.compare(i, delimiter_.size(), delimiter_) != 0) {
                error = "text after a closing quote in field " + std::to_string(fields.size());
                return false;
            }
            i += delimiter_.size();
            continue;
        }
        const size_t d = delimiter_at(record, i);
        if (d == n) {
            fields.push_back({record.substr(i), false});
            return true;
        }
        fields.push_back({record.substr(i, d - i), false});
        i = d + delimiter_.size();
    }
}

bool Reader::next(std::vector<Field>& fields) {
    if (!read_record()) return false;
    split_record(fields);
    return true;
}

bool Reader::read_record() {
    record_.clear();
    quotes_ = 0;
    while (true) {
        if (!std::getline(in_, line_)) {
            if (record_.empty()) return false;
            throw std::runtime_error("line " + std::to_string(record_line_) + ": unclosed quote");
        }
        // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not data.
        if (++line_no_ == 1 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);
        const auto quotes = static_cast<size_t>(std::count(line_.begin(), line_.end(), '"'));
        if (record_.empty() && quotes_ == 0) {
            record_line_ = line_no_;
            record_.swap(line_);  // the usual one-line record: no copy
        } else {
            record_ += '\n';
            record_ += line_;
        }
        quotes_ += quotes;
        if (quotes_ % 2 == 0) break;  // quotes balance: the record ends on this line
    }
    // CRLF ends the record; a CRLF inside a quoted field is data and stays.
    if (!record_.empty() && record_.back() == '\r') record_.pop_back();
    return true;
}

void Reader::split_record(std::vector<Field>& fields) {
    std::string error;
    if (!parser_.parse(record_, fields, error))
        throw std::runtime_error("line " + std::to_string(record_line_) + ": " + error);
}

void append_field(std::string& out, std::string_view value, std::string_view delimiter, bool quoted_empty) {
    bool needs_quotes = (value.empty() && quoted_empty) || value.find(delimiter) != std::string_view::npos;
    for (size_t i = 0; i < value.size() && !needs_quotes; ++i) {
        const char c = value[i];
        needs_quotes = c == '"' || c == '\n' || c == '\r';
    }
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
