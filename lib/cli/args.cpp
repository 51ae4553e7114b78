#include "cli/args.hpp"

namespace dgkafka::cli {

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

}  // namespace dgkafka::cli
