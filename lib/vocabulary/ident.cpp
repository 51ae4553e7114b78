#include "vocabulary/ident.hpp"

#include <stdexcept>

#include "vocabulary/sql_tokens.hpp"

namespace dgkafka {

std::string quote_ident(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

namespace {
// Reads one part starting at pos; returns the position after it.
size_t read_part(std::string_view text, size_t pos, std::string& out) {
    if (pos < text.size() && text[pos] == '"') {
        const size_t end = sql::quoted_end(text, pos + 1, '"', &out);
        if (end == std::string_view::npos) throw std::invalid_argument("unclosed double quote");
        return end;
    }
    const auto dot = text.find('.', pos);
    const auto end = dot == std::string_view::npos ? text.size() : dot;
    out.append(text.substr(pos, end - pos));
    return end;
}
}  // namespace

QualifiedName QualifiedName::parse(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("empty name");
    std::string first, second;
    size_t pos = read_part(text, 0, first);
    if (pos == text.size()) {
        if (first.empty()) throw std::invalid_argument("empty name");
        return {"", first};
    }
    if (text[pos] != '.') throw std::invalid_argument("unexpected text after quoted name");
    pos = read_part(text, pos + 1, second);
    if (pos != text.size()) throw std::invalid_argument("more than one dot: write it as schema.table");
    if (first.empty() || second.empty()) throw std::invalid_argument("empty schema or table name");
    return {first, second};
}

std::string QualifiedName::quoted() const {
    return schema.empty() ? quote_ident(name) : quote_ident(schema) + "." + quote_ident(name);
}

std::string QualifiedName::display() const { return schema.empty() ? name : schema + "." + name; }

}  // namespace dgkafka
