#pragma once
#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

namespace dgkafka::cli {

std::vector<std::string> command_names();  // setup, load, ...

// Everything `dgkafka` does, for main() and for tests: parses, runs, maps failure to an exit code.
int dgkafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                 const std::atomic<bool>& stop);

}  // namespace dgkafka::cli
