#pragma once
// Command-line spelling shared by dgkafka and csv2kafka.
#include <set>
#include <string>
#include <vector>

namespace dgkafka::args {

// The spec writes long flags with one dash (-quit-at-eof); cxxopts wants two. Rewrites "-name"
// and "-name=value" to "--name..." when `name` is one of `long_names`; leaves everything else.
std::vector<std::string> normalize(const std::vector<std::string>& args, const std::set<std::string>& long_names);

// For the first flag in `args` that is none of `long_names` (nor a cluster of `short_names`, nor
// one of `short_with_value` with its value attached, as -d|):
// "unknown flag -quite-at-eof: did you mean -quit-at-eof?" (without the question when nothing is
// close). "" when every flag is known.
std::string unknown_flag(const std::vector<std::string>& args, const std::set<std::string>& long_names,
                         const std::string& short_names, const std::string& short_with_value = "");

}  // namespace dgkafka::args
