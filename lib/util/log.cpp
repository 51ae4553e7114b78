#include "util/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace dgkafka::log {

namespace {
std::atomic<int> level{0};
std::mutex mu;
}  // namespace

void set_verbosity(int v) { level = v; }
int verbosity() { return level; }

void write(Level, const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    std::fputs(line.c_str(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

}  // namespace dgkafka::log
