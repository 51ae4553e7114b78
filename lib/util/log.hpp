#pragma once
// Diagnostics on stderr (results go to stdout): one line each, whole lines even from threads.
#include <fmt/format.h>

#include <string>

namespace dgkafka::log {

enum class Level { error = 0, warn = 0, info = 1, debug = 2 };

void set_verbosity(int v);  // 0: errors and warnings, 1 (-v): progress, 2 (-vv): debug
int verbosity();
void write(Level level, const std::string& line);

template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::warn, "warning: " + fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (verbosity() >= 1) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (verbosity() >= 2) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace dgkafka::log
