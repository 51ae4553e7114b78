#pragma once
// Is the text one well-formed JSON value (RFC 8259)? A syntax check only: no DOM, no number
// conversion, no unescaping; nesting depth limited only by memory. UTF-8 is checked elsewhere.
#include <string_view>

namespace dgkafka::json {

bool valid(std::string_view text);

}  // namespace dgkafka::json
