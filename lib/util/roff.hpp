#pragma once
// Text for man pages: backslashes and hyphens escaped, no line starting with a control character.
#include <string>

namespace dgkafka::roff {

inline std::string escape(const std::string& s) {
    std::string out;
    bool line_start = true;
    for (char c : s) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

}  // namespace dgkafka::roff
