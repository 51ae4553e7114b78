#include "formats/json_check.hpp"

#include <vector>

namespace dgkafka::json {

namespace {

class Checker {
public:
    explicit Checker(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

    bool run() {
        // Containers open on the stack; after each value, expect ',' or the closer.
        std::vector<char> open;
        skip_ws();
        while (true) {
            if (!value_start(open)) return false;
            while (true) {
                skip_ws();
                if (open.empty()) return p_ == end_;
                if (p_ == end_) return false;
                if (*p_ == ',') {
                    ++p_;
                    skip_ws();
                    if (open.back() == '{' && !member_name()) return false;
                    break;  // next value
                }
                if (*p_ != (open.back() == '{' ? '}' : ']')) return false;
                ++p_;
                open.pop_back();
            }
        }
    }

private:
    // A value, or the opening of a container and its first member/element (or its end).
    bool value_start(std::vector<char>& open) {
        while (true) {
            if (p_ == end_) return false;
            switch (*p_) {
                case '{':
                    ++p_;
                    skip_ws();
                    if (p_ != end_ && *p_ == '}') {
                        ++p_;
                        return true;
                    }
                    open.push_back('{');
                    if (!member_name()) return false;
                    continue;  // the member's value
                case '[':
                    ++p_;
                    skip_ws();
                    if (p_ != end_ && *p_ == ']') {
                        ++p_;
                        return true;
                    }
                    open.push_back('[');
                    continue;  // the first element
                case '"': return string();
                case 't': return literal("true");
                case 'f': return literal("false");
                case 'n': return literal("null");
                default: return number();
            }
        }
    }

    bool member_name() {  // "name" :   then whitespace
        if (p_ == end_ || *p_ != '"' || !string()) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        skip_ws();
        return true;
    }

    bool string() {
        ++p_;  // the opening quote
        while (p_ != end_) {
            const unsigned char c = static_cast<unsigned char>(*p_++);
            if (c == '"') return true;
            if (c < 0x20) return false;
            if (c != '\\') continue;
            if (p_ == end_) return false;
            switch (*p_++) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
                case 'u':
                    for (int i = 0; i < 4; ++i, ++p_)
                        if (p_ == end_ || !is_hex(*p_)) return false;
                    break;
                default: return false;
            }
        }
        return false;
    }

    bool number() {
        if (p_ != end_ && *p_ == '-') ++p_;
        if (p_ == end_) return false;
        if (*p_ == '0') ++p_;
        else if (!digits()) return false;
        if (p_ != end_ && *p_ == '.') {
            ++p_;
            if (!digits()) return false;
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (!digits()) return false;
        }
        return true;
    }

    bool digits() {
        const char* start = p_;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        return p_ != start;
    }

    bool literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }

    static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

    const char* p_;
    const char* end_;
};

}  // namespace

bool valid(std::string_view text) { return Checker(text).run(); }

}  // namespace dgkafka::json
