#include "formats/json_fields.hpp"

#include <algorithm>
#include <utility>

#include "util/swar.hpp"

namespace dgkafka::json {

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

unsigned hex4(const char* p) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// One pass over the text, validating all of it (no recursion: nesting is bounded by memory only).
class Parser {
  public:
    // strict: refuse what PostgreSQL refuses when it unescapes strings (\u0000, unpaired surrogates);
    // numeric: refuse numbers that jsonb cannot store.
    Parser(std::string_view t, std::string& reason, bool strict, bool numeric = false)
        : p_(t.data()), end_(t.data() + t.size()), reason_(reason), strict_(strict), numeric_(numeric) {}

    const char* pos() const { return p_; }
    bool at_end() const { return p_ == end_; }

    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }

    bool consume(char c) {
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }

    char peek() const { return p_ == end_ ? '\0' : *p_; }

    // A string at the opening quote; `contents` gets what is between the quotes.
    bool string(std::string_view& contents, bool& escaped) {
        ++p_;
        const char* start = p_;
        escaped = false;
        bool high_pending = false;  // a high surrogate escape must be followed by a low one
        while (p_ != end_) {
            // Runs of eight bytes with no quote, backslash or control character in them.
            while (!high_pending && end_ - p_ >= 8) {
                const uint64_t x = swar::load8(p_);
                if (const uint64_t special = swar::below(x, 0x20) | swar::equal(x, '"') | swar::equal(x, '\\')) {
                    p_ += swar::first(special);
                    break;
                }
                p_ += 8;
            }
            if (p_ == end_) break;
            const unsigned char c = static_cast<unsigned char>(*p_++);
            if (c == '"' && !high_pending) {
                contents = std::string_view(start, static_cast<size_t>(p_ - 1 - start));
                return true;
            }
            if (c < 0x20) return fail("invalid JSON: a control character in a string");
            if (c != '\\') {
                if (high_pending) return surrogate_error();
                continue;
            }
            escaped = true;
            if (p_ == end_) break;
            const char e = *p_++;
            if (e != 'u') {
                if (high_pending) return surrogate_error();
                if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't')
                    continue;
                return fail("invalid JSON");
            }
            if (end_ - p_ < 4 || !is_hex(p_[0]) || !is_hex(p_[1]) || !is_hex(p_[2]) || !is_hex(p_[3]))
                return fail("invalid JSON");
            const unsigned cp = hex4(p_);
            p_ += 4;
            if (!strict_) continue;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (high_pending) return surrogate_error();
                high_pending = true;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                if (!high_pending) return surrogate_error();
                high_pending = false;
            } else if (high_pending) {
                return surrogate_error();
            } else if (cp == 0) {
                return fail("a \\u0000 escape in a JSON string: PostgreSQL cannot turn it into text");
            }
        }
        return fail("invalid JSON");
    }

    // Any value; `kind`/`text` describe it for ->>.
    bool value(Member& m) {
        const char* start = p_;
        switch (peek()) {
            case '"': {
                m.kind = Member::string;
                return string(m.text, m.escaped);
            }
            case '{':
            case '[':
                if (!container()) return false;
                m.kind = Member::raw;
                break;
            case 't':
                if (!literal("true")) return false;
                m.kind = Member::raw;
                break;
            case 'f':
                if (!literal("false")) return false;
                m.kind = Member::raw;
                break;
            case 'n':
                if (!literal("null")) return false;
                m.kind = Member::absent;
                break;
            default:
                if (!number()) return false;
                m.kind = Member::raw;
        }
        m.text = std::string_view(start, static_cast<size_t>(p_ - start));
        m.escaped = false;
        return true;
    }

    // Only whitespace left.
    bool finish() {
        skip_ws();
        return at_end() || fail("invalid JSON");
    }

    bool fail(const char* why) {
        reason_ = why;
        return false;
    }

    bool surrogate_error() { return fail("a UTF-16 surrogate escape out of pair in a JSON string"); }

    // An object or array at its opening bracket, with everything inside (no recursion).
    bool container() {
        std::vector<char> open;
        std::string_view s;
        bool esc = false;
        while (true) {
            // at the start of a value
            const char c = peek();
            if (c == '{' || c == '[') {
                ++p_;
                open.push_back(c);
                skip_ws();
                if (consume(c == '{' ? '}' : ']')) {
                    open.pop_back();
                } else {
                    if (c == '{' && !member_name(s, esc)) return false;
                    continue;
                }
            } else if (c == '"') {
                if (!string(s, esc)) return false;
            } else if (!scalar()) {
                return false;
            }
            // after a value: ',' then the next, or closers; nothing after the last closer
            while (!open.empty()) {
                skip_ws();
                if (consume(',')) {
                    skip_ws();
                    if (open.back() == '{' && !member_name(s, esc)) return false;
                    break;
                }
                if (!consume(open.back() == '{' ? '}' : ']')) return fail("invalid JSON");
                open.pop_back();
            }
            if (open.empty()) return true;
        }
    }

    bool member_name(std::string_view& name, bool& escaped) {
        if (peek() != '"') return fail("invalid JSON");
        if (!string(name, escaped)) return false;
        skip_ws();
        if (!consume(':')) return fail("invalid JSON");
        skip_ws();
        return true;
    }

    bool scalar() {
        switch (peek()) {
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    bool literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
            return fail("invalid JSON");
        p_ += word.size();
        return true;
    }

    bool number() {
        const char* start = p_;
        if (!number_syntax()) return false;
        if (numeric_ && !numeric_fits(std::string_view(start, static_cast<size_t>(p_ - start))))
            return fail("a JSON number out of the range of PostgreSQL's numeric type (as jsonb stores it)");
        return true;
    }

    bool number_syntax() {
        consume('-');
        if (consume('0')) {
        } else if (!digits()) {
            return fail("invalid JSON");
        }
        if (consume('.') && !digits()) return fail("invalid JSON");
        if (peek() == 'e' || peek() == 'E') {
            ++p_;
            if (peek() == '+' || peek() == '-') ++p_;
            if (!digits()) return fail("invalid JSON");
        }
        return true;
    }

    bool digits() {
        const char* start = p_;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        return p_ != start;
    }

  private:
    const char* p_;
    const char* end_;
    std::string& reason_;
    const bool strict_;
    const bool numeric_;
};

// A JSON number's parts, already checked by the parser.
struct NumberParts {
    std::string_view integer, fraction, exponent;  // exponent: digits only, sign apart
    bool negative = false, negative_exponent = false;
};

NumberParts split_number(std::string_view n) {
    NumberParts out;
    size_t i = 0;
    if (i < n.size() && n[i] == '-') out.negative = true, ++i;
    size_t start = i;
    while (i < n.size() && n[i] >= '0' && n[i] <= '9') ++i;
    out.integer = n.substr(start, i - start);
    if (i < n.size() && n[i] == '.') {
        start = ++i;
        while (i < n.size() && n[i] >= '0' && n[i] <= '9') ++i;
        out.fraction = n.substr(start, i - start);
    }
    if (i < n.size() && (n[i] == 'e' || n[i] == 'E')) {
        ++i;
        if (i < n.size() && (n[i] == '+' || n[i] == '-')) out.negative_exponent = n[i++] == '-';
        out.exponent = n.substr(i);
    }
    return out;
}

}  // namespace

void append_unescaped(std::string& out, std::string_view s) {
    const char* p = s.data();
    const char* end = p + s.size();
    while (p != end) {
        const char* run = p;
        while (p != end && *p != '\\') ++p;
        out.append(run, static_cast<size_t>(p - run));
        if (p == end) break;
        const char e = p[1];
        p += 2;
        switch (e) {
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = hex4(p);
                p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {  // the reader checked that a low surrogate follows
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 2) - 0xDC00);
                    p += 6;
                }
                append_utf8(out, cp);
                break;
            }
            default:
                out += e;  // " \ /
        }
    }
}

bool numeric_fits(std::string_view number) {
    // numeric.c (set_var_from_str, make_result): |exponent| < INT_MAX / 2; at most 16383 digits
    // after the point; a weight of base-10000 digits that fits 16 bits.
    constexpr long max_exponent = 1073741823, max_scale = 16383, max_weight_digits = 131072;
    const NumberParts n = split_number(number);
    long exponent = 0;
    for (const char c : n.exponent) {
        exponent = exponent * 10 + (c - '0');
        if (exponent >= max_exponent) return false;
    }
    if (n.negative_exponent) exponent = -exponent;
    const long scale = std::max(0L, static_cast<long>(n.fraction.size()) - exponent);
    if (scale > max_scale) return false;
    // The decimal weight of the first non-zero digit (a zero has none).
    const auto first = [](std::string_view d) { return d.find_first_not_of('0'); };
    long weight;
    if (const size_t i = first(n.integer); i != std::string_view::npos)
        weight = static_cast<long>(n.integer.size() - i) - 1;
    else if (const size_t f = first(n.fraction); f != std::string_view::npos)
        weight = -static_cast<long>(f) - 1;
    else
        return true;
    return weight + exponent < max_weight_digits;
}

bool jsonb_text_is_literal(std::string_view scalar) {
    if (scalar.empty() || scalar[0] == '{' || scalar[0] == '[') return false;
    if (scalar == "true" || scalar == "false") return true;
    if (scalar.find_first_of("eE") != std::string_view::npos) return false;
    const NumberParts n = split_number(scalar);
    if (!n.negative) return true;
    return n.integer.find_first_not_of('0') != std::string_view::npos ||
           n.fraction.find_first_not_of('0') != std::string_view::npos;  // -0 and -0.00 lose the sign
}

bool valid(std::string_view text) {
    std::string reason;
    Parser in(text, reason, false);
    in.skip_ws();
    Member whole;
    return in.value(whole) && in.finish();
}

MemberReader::MemberReader(std::vector<std::string> names, bool jsonb)
    : names_(std::move(names)), jsonb_(jsonb), members_(names_.size()) {}

bool MemberReader::read(std::string_view text, std::string& reason) {
    for (auto& m : members_) m = Member{};
    Parser in(text, reason, true, jsonb_);
    in.skip_ws();
    if (in.peek() != '{') {  // not an object: every member is NULL, but the text must be JSON
        Member whole;
        return in.value(whole) && in.finish();
    }
    in.consume('{');
    in.skip_ws();
    if (!in.consume('}')) {
        while (true) {
            std::string_view name;
            bool escaped = false;
            if (!in.member_name(name, escaped)) return false;
            if (escaped) {
                scratch_.clear();
                append_unescaped(scratch_, name);
                name = scratch_;
            }
            // Documents of a topic list their members in much the same order: look after the last match first.
            size_t wanted = names_.size();
            for (size_t k = 0; k < names_.size(); ++k) {
                const size_t i = (next_ + k) % names_.size();
                if (names_[i] == name) {
                    wanted = i;
                    next_ = i + 1;
                    break;
                }
            }
            Member m;
            if (!in.value(m)) return false;
            if (wanted < names_.size()) members_[wanted] = m;  // the last of repeated names wins
            in.skip_ws();
            if (in.consume(',')) {
                in.skip_ws();
                continue;
            }
            if (in.consume('}')) break;
            return in.fail("invalid JSON");
        }
    }
    return in.finish();
}

}  // namespace dgkafka::json
