#pragma once
// PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "util/swar.hpp"
#include "util/utf8.hpp"

namespace dgkafka::copy_text {

inline void append_null(std::string& out) { out.append("\\N", 2); }

// Appends a text value, escaped. False, with `out` partly written, when the value is not text
// PostgreSQL can store: not well-formed UTF-8, or holding a NUL byte. Runs of eight plain ASCII
// bytes (nothing to escape) are copied at once.
inline bool append_text(std::string& out, std::string_view v) {
    const size_t n = v.size();
    const char* p = v.data();
    size_t i = 0, run = 0;  // [run, i) is plain and not yet appended
    while (i < n) {
        if (i + 8 <= n) {
            const uint64_t x = swar::load8(p + i);
            if ((swar::high(x) | swar::below(x, 0x20) | swar::equal(x, '\\')) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = static_cast<unsigned char>(p[i]);
        if (c >= 0x80) {
            const size_t bad = utf8::invalid_at(std::string_view(p + i, n - i).substr(0, 4));
            if (bad == 0) return false;
            // One well-formed multi-byte character: skip its bytes.
            i += c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            continue;
        }
        const char* esc = nullptr;
        switch (c) {
            case '\\':
                esc = "\\\\";
                break;
            case '\t':
                esc = "\\t";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\0':
                return false;
            default:
                ++i;
                continue;
        }
        out.append(p + run, i - run);
        out.append(esc, 2);
        run = ++i;
    }
    out.append(p + run, n - run);
    return true;
}

// Appends bytes as bytea hex input (\\x..., the backslash itself escaped for COPY).
inline void append_bytea(std::string& out, std::string_view bytes) {
    static const char hex[] = "0123456789abcdef";
    out.append("\\\\x", 3);
    const size_t at = out.size();
    out.resize(at + 2 * bytes.size());
    char* p = &out[at];
    for (unsigned char b : bytes) {
        *p++ = hex[b >> 4];
        *p++ = hex[b & 15];
    }
}

inline void append_int(std::string& out, long long v) {
    char buf[24];
    char* p = buf + sizeof buf;
    const bool neg = v < 0;
    unsigned long long u = neg ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        *--p = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg) *--p = '-';
    out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

}  // namespace dgkafka::copy_text
