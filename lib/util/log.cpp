#include "util/log.hpp"

#include <fmt/chrono.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <atomic>
#include <nlohmann/json.hpp>

namespace dgkafka::log {

namespace {

std::atomic<int> level{0};
std::atomic<Format> format{Format::text};
thread_local const Fields* current_fields = nullptr;  // handed from write() to the formatter

spdlog::level::level_enum to_spdlog(Level l) {
    switch (l) {
        case Level::debug:
            return spdlog::level::debug;
        case Level::info:
            return spdlog::level::info;
        case Level::warn:
            return spdlog::level::warn;
        case Level::error:
            return spdlog::level::err;
    }
    return spdlog::level::err;
}

// One JSON object a line: ts, level, msg, then the fields.
class JsonFormatter : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count() % 1'000'000;
        nlohmann::ordered_json j;
        j["ts"] =
            fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", fmt::gmtime(spdlog::log_clock::to_time_t(msg.time)), micros);
        j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                                 spdlog::level::to_string_view(msg.level).size());
        j["msg"] = std::string(msg.payload.data(), msg.payload.size());
        if (current_fields)
            for (const auto& [name, value] : current_fields->items)
                std::visit([&, &name = name](const auto& v) { j[name] = v; }, value);
        const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter(Format f) {
    if (f == Format::json) return std::make_unique<JsonFormatter>();
    return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
}

std::shared_ptr<spdlog::logger> make_logger() {
    auto logger = std::make_shared<spdlog::logger>("dgkafka", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::level::trace);  // filtered by enabled() before any formatting
    logger->flush_on(spdlog::level::trace);
    logger->set_formatter(make_formatter(Format::text));
    return logger;
}

spdlog::logger& logger() {
    static const auto instance = make_logger();
    return *instance;
}

// Appends to a fixed buffer; what does not fit is cut. No allocation, no locks.
struct Appender {
    char* buf;
    size_t size, used = 0;
    void put(char c) {
        if (used < size) buf[used++] = c;
    }
    void put(const char* s) {
        while (*s) put(*s++);
    }
    void digits(long long v, int width) {  // zero-padded to `width`
        char tmp[20];
        int n = 0;
        do tmp[n++] = static_cast<char>('0' + v % 10);
        while ((v /= 10) > 0 && n < 20);
        for (int i = n; i < width; ++i) put('0');
        while (n > 0) put(tmp[--n]);
    }
};

// The proleptic Gregorian date of days since 1970-01-01 (H. Hinnant's civil_from_days): gmtime
// is not async-signal-safe.
void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<long long>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

const char* level_name(Level l) {  // as spdlog names them
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warning";
        case Level::error:
            return "error";
    }
    return "error";
}

}  // namespace

Fields at(const std::string& topic, int partition) { return Fields{}.add("topic", topic).add("partition", partition); }

Fields offsets(const std::string& topic, int partition, long long first, long long last) {
    return at(topic, partition).add("first_offset", first).add("last_offset", last);
}

void set_verbosity(int v) { level = v; }
int verbosity() { return level; }

void set_format(Format f) {
    format = f;
    logger().set_formatter(make_formatter(f));
}

bool set_format(const std::string& name) {
    if (name != "text" && name != "json") return false;
    set_format(name == "json" ? Format::json : Format::text);
    return true;
}

bool enabled(Level l) {
    switch (l) {
        case Level::error:
            return true;
        case Level::warn:
            return level >= 0;
        case Level::info:
            return level >= 1;
        case Level::debug:
            return level >= 2;
    }
    return true;
}

void write(Level l, const std::string& message, const Fields& fields) {
    current_fields = &fields;
    logger().log(to_spdlog(l), "{}", message);
    current_fields = nullptr;
}

std::string line(Level l, const std::string& message, const Fields& fields) {
    const spdlog::details::log_msg msg("dgkafka", to_spdlog(l), message);
    spdlog::memory_buf_t buf;
    current_fields = &fields;
    make_formatter(format)->format(msg, buf);
    current_fields = nullptr;
    std::string out(buf.data(), buf.size());
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

size_t signal_safe_line(Level l, const char* message, char* buf, size_t size) noexcept {
    if (size == 0) return 0;
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    long long y = 0;
    unsigned mo = 0, d = 0;
    civil_from_days(now.tv_sec / 86400, y, mo, d);
    const long long secs = now.tv_sec % 86400;
    Appender a{buf, size - 1};    // room kept for the newline
    const auto timestamp = [&] {  // as the formatters write it: 2026-11-29T19:50:13.453280Z
        a.digits(y, 4);
        a.put('-');
        a.digits(mo, 2);
        a.put('-');
        a.digits(d, 2);
        a.put('T');
        a.digits(secs / 3600, 2);
        a.put(':');
        a.digits(secs / 60 % 60, 2);
        a.put(':');
        a.digits(secs % 60, 2);
        a.put('.');
        a.digits(now.tv_nsec / 1000, 6);
        a.put('Z');
    };
    if (format == Format::json) {
        a.put("{\"ts\":\"");
        timestamp();
        a.put("\",\"level\":\"");
        a.put(level_name(l));
        a.put("\",\"msg\":\"");
        for (const char* c = message; *c; ++c) {
            if (*c == '"' || *c == '\\') a.put('\\');
            a.put(*c);
        }
        a.put("\"}");
    } else {
        timestamp();
        a.put(' ');
        a.put(level_name(l));
        a.put(' ');
        a.put(message);
    }
    buf[a.used] = '\n';
    return a.used + 1;
}

}  // namespace dgkafka::log
