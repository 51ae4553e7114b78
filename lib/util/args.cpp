#include "util/args.hpp"

#include "util/text.hpp"

namespace dgkafka::args {

std::vector<std::string> normalize(const std::vector<std::string>& args, const std::set<std::string>& long_names) {
    std::vector<std::string> out;
    out.reserve(args.size());
    for (const auto& a : args) {
        if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
            const auto name = a.substr(1, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 1);
            if (long_names.count(name)) {
                out.push_back("-" + a);
                continue;
            }
        }
        out.push_back(a);
    }
    return out;
}

std::string unknown_flag(const std::vector<std::string>& args, const std::set<std::string>& long_names,
                         const std::string& short_names, const std::string& short_with_value) {
    for (const auto& a : args) {
        if (a.size() < 2 || a[0] != '-' || a == "--") continue;
        const bool two = a[1] == '-';
        const auto name =
            a.substr(two ? 2 : 1, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - (two ? 2 : 1));
        if (long_names.count(name)) continue;
        if (!two && name.find_first_not_of(short_names) == std::string::npos) continue;  // -v, -vv, -h
        if (!two && short_with_value.find(name[0]) != std::string::npos) continue;       // -d|
        const auto near = text::nearest(name, {long_names.begin(), long_names.end()});
        return near.empty() ? "unknown flag " + a : "unknown flag " + a + ": did you mean -" + near + "?";
    }
    return "";
}

}  // namespace dgkafka::args
