#pragma once
// Query parameters: values travel as parameters, never spliced into SQL text.
#include <string>
#include <type_traits>
#include <vector>

namespace dgkafka::db {

// A PostgreSQL array literal for a parameter cast to int[], bigint[] or text[]: {1,2} or {"a","b\"c"}.
template <typename T>
std::string pg_array(const std::vector<T>& values) {
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if constexpr (std::is_arithmetic_v<T>) {
            out += std::to_string(values[i]);
        } else {
            out += '"';
            for (char c : values[i]) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        }
    }
    return out + "}";
}

}  // namespace dgkafka::db
