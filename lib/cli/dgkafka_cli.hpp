#pragma once
#include <atomic>
#include <iosfwd>

namespace dgkafka::cli {

// Everything `dgkafka` does, for main() and for tests: parses, runs, maps failure to an exit code.
int dgkafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                 const std::atomic<bool>& stop);

}  // namespace dgkafka::cli
