#pragma once
// PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
#include <string>
#include <string_view>

namespace dgkafka::copy_text {

inline void append_null(std::string& out) { out.append("\\N", 2); }

// Appends a text value; false if it holds a NUL byte, which PostgreSQL text cannot store.
inline bool append_text(std::string& out, std::string_view v) {
    size_t start = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const char* esc = nullptr;
        switch (c) {
            case '\\': esc = "\\\\"; break;
            case '\t': esc = "\\t"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            case '\0': return false;
            default: continue;
        }
        out.append(v.data() + start, i - start);
        out.append(esc, 2);
        start = i + 1;
    }
    out.append(v.data() + start, v.size() - start);
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
