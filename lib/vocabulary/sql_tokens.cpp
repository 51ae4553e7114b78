#include "vocabulary/sql_tokens.hpp"

#include <cctype>
#include <cstring>

#include "util/text.hpp"

namespace dgkafka::sql {

namespace {
bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) { return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }
bool op_char(char c) { return c != '\0' && std::strchr("+-*/<>=~!@#%^&|`?", c) != nullptr; }
}  // namespace

size_t quoted_end(std::string_view t, size_t i, char q, std::string* value) {
    while (i < t.size()) {
        if (t[i] == q) {
            if (i + 1 < t.size() && t[i + 1] == q) {
                if (value) *value += q;
                i += 2;
                continue;
            }
            return i + 1;
        }
        if (value) *value += t[i];
        ++i;
    }
    return std::string_view::npos;
}

bool tokenize(std::string_view t, std::vector<Token>& out) {
    out.clear();
    size_t i = 0;
    const size_t n = t.size();
    while (i < n) {
        const char c = t[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (c == '-' && i + 1 < n && t[i + 1] == '-') {  // comment to the end of the line
            while (i < n && t[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < n && t[i + 1] == '*') {  // nested block comments
            int depth = 0;
            while (i < n) {
                if (t.compare(i, 2, "/*") == 0) {
                    ++depth;
                    i += 2;
                } else if (t.compare(i, 2, "*/") == 0) {
                    i += 2;
                    if (--depth == 0) break;
                } else {
                    ++i;
                }
            }
            if (depth != 0) return false;
            continue;
        }
        Token tok{Token::punct, i, i, {}};
        if (c == '\'') {
            tok.kind = Token::string;
            tok.end = quoted_end(t, i + 1, '\'', &tok.value);
        } else if (c == '"') {
            tok.kind = Token::quoted_identifier;
            tok.end = quoted_end(t, i + 1, '"', &tok.value);
        } else if ((c == 'e' || c == 'E' || c == 'b' || c == 'B' || c == 'x' || c == 'X') && i + 1 < n &&
                   t[i + 1] == '\'') {
            tok.kind = Token::other_literal;
            size_t j = i + 2;  // E'...' may escape a quote with a backslash
            while (j < n && t[j] != '\'') j += (t[j] == '\\' && (c == 'e' || c == 'E')) ? 2 : 1;
            tok.end = j < n ? quoted_end(t, j, '\'', nullptr) : std::string_view::npos;
        } else if ((c == 'u' || c == 'U') && t.compare(i + 1, 2, "&'") == 0) {
            tok.kind = Token::other_literal;
            tok.end = quoted_end(t, i + 3, '\'', nullptr);
        } else if (c == '$' && i + 1 < n && (t[i + 1] == '$' || ident_start(t[i + 1]))) {
            size_t j = i + 1;
            while (j < n && t[j] != '$' && ident_char(t[j])) ++j;
            if (j >= n || t[j] != '$') return false;
            const std::string_view tag = t.substr(i, j + 1 - i);
            const size_t close = t.find(tag, j + 1);
            if (close == std::string_view::npos) return false;
            tok.kind = Token::other_literal;
            tok.end = close + tag.size();
        } else if (ident_start(c)) {
            tok.kind = Token::identifier;
            size_t j = i;
            while (j < n && ident_char(t[j])) ++j;
            tok.value = text::lower(t.substr(i, j - i));
            tok.end = j;
        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                   (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(t[i + 1])))) {
            tok.kind = Token::other_literal;
            size_t j = i;
            while (j < n && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '.' || t[j] == '_' ||
                             ((t[j] == '+' || t[j] == '-') && (t[j - 1] == 'e' || t[j - 1] == 'E'))))
                ++j;
            tok.end = j;
        } else if (c == ':' && i + 1 < n && t[i + 1] == ':') {
            tok.value = "::";
            tok.end = i + 2;
        } else if (std::strchr("()[],;.:", c)) {
            tok.value = std::string(1, c);
            tok.end = i + 1;
        } else if (op_char(c)) {
            // PostgreSQL's rules: an operator stops before a comment start, and one ending in + or -
            // loses that ending unless it also holds one of ~ ! @ # % ^ & | ` ?
            size_t j = i;
            while (j < n && op_char(t[j]) && !(j > i && (t.compare(j, 2, "--") == 0 || t.compare(j, 2, "/*") == 0)))
                ++j;
            std::string_view op = t.substr(i, j - i);
            if (op.size() > 1 && op.find_first_of("~!@#%^&|`?") == std::string_view::npos)
                while (op.size() > 1 && (op.back() == '+' || op.back() == '-')) op.remove_suffix(1);
            tok.kind = Token::op;
            tok.value = std::string(op);
            tok.end = i + op.size();
        } else {
            tok.kind = Token::other_literal;  // anything else: one character, never a pattern
            tok.end = i + 1;
        }
        if (tok.end == std::string_view::npos) return false;
        i = tok.end;
        out.push_back(std::move(tok));
    }
    return true;
}

}  // namespace dgkafka::sql
