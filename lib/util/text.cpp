#include "util/text.hpp"

#include <algorithm>
#include <stdexcept>

namespace dgkafka::text {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<std::string> split(std::string_view s, char sep, bool trim_parts) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        auto part = s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
        parts.emplace_back(trim_parts ? trim(part) : part);
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return parts;
}

std::string clip(std::string_view s, size_t max) {
    if (s.size() <= max) return std::string(s);
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // a continuation byte
    return std::string(s.substr(0, cut)) + "… (" + std::to_string(s.size()) + " bytes)";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

std::string substitute(std::string_view tmpl, const std::map<std::string, std::string>& vars) {
    std::string out;
    out.reserve(tmpl.size() + 64);
    size_t pos = 0;
    while (true) {
        const auto open = tmpl.find("${", pos);
        if (open == std::string_view::npos) break;
        const auto close = tmpl.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(tmpl.substr(pos, open - pos));
        const std::string name(tmpl.substr(open + 2, close - open - 2));
        const auto it = vars.find(name);
        if (it == vars.end()) throw std::logic_error("SQL template variable ${" + name + "} not provided");
        out += it->second;
        pos = close + 1;
    }
    out.append(tmpl.substr(pos));
    return out;
}

}  // namespace dgkafka::text
