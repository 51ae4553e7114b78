#pragma once
// Command-line spelling shared by dgkafka and csv2kafka.
#include <set>
#include <string>
#include <vector>

namespace dgkafka::cli {

// The spec writes long flags with one dash (-quit-at-eof); cxxopts wants two. Rewrites "-name"
// and "-name=value" to "--name..." when `name` is one of `long_names`; leaves everything else.
std::vector<std::string> normalize(const std::vector<std::string>& args, const std::set<std::string>& long_names);

}  // namespace dgkafka::cli
