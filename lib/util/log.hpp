#pragma once
// Diagnostics on stderr (results go to stdout): one line each, whole lines even from threads, each
// with an ISO 8601 UTC timestamp and a level; as text or as one JSON object a line.
#include <fmt/format.h>

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dgkafka::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

// Facts a line is about (topic, partition, offsets): JSON members of their own; text lines
// already name them in the message.
struct Fields {
    std::vector<std::pair<std::string, std::variant<long long, std::string>>> items;
    Fields& add(std::string name, long long v) {
        items.emplace_back(std::move(name), v);
        return *this;
    }
    Fields& add(std::string name, std::string v) {
        items.emplace_back(std::move(name), std::move(v));
        return *this;
    }
};
Fields at(const std::string& topic, int partition);
Fields offsets(const std::string& topic, int partition, long long first, long long last);

void set_verbosity(int v);  // -1 (-q): errors only; 0: warnings too; 1 (-v): progress; 2 (-vv): debug
int verbosity();
void set_format(Format f);
// Fails for a name that is neither "text" nor "json".
bool set_format(const std::string& name);
bool enabled(Level level);
void write(Level level, const std::string& message, const Fields& fields = {});
// The formatted line without its newline, for output that goes to a stream of the caller's.
std::string line(Level level, const std::string& message, const Fields& fields = {});
// The same line, newline included, for a signal handler: written into `buf` without locks or
// allocation (async-signal-safe); returns its length, cut to `size`. `message` needs no escaping
// beyond quotes and backslashes.
size_t signal_safe_line(Level level, const char* message, char* buf, size_t size) noexcept;

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(const Fields& fields, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...), fields);
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(const Fields& fields, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...), fields);
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(const Fields& fields, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...), fields);
}

}  // namespace dgkafka::log
