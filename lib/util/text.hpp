#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dgkafka::text {

std::string_view trim(std::string_view s);
std::string lower(std::string_view s);  // ASCII letters only, as SQL folds unquoted names
std::vector<std::string> split(std::string_view s, char sep, bool trim_parts = true);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// At most `max` bytes of s (cut before a UTF-8 character, never inside one), with how long it was
// when cut: for log lines that quote values of any size.
std::string clip(std::string_view s, size_t max);
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word`, or "" when none is close enough to be a likely typo.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);
// Replaces every ${name} with vars.at(name); an unknown ${name} is a programming error and throws.
std::string substitute(std::string_view tmpl, const std::map<std::string, std::string>& vars);

}  // namespace dgkafka::text
