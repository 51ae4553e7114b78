#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace dgkafka::load {

enum class Reset { none, earliest, latest, timestamp, offsets };

struct LoadOptions {
    bool quit_at_eof = false;
    Reset reset = Reset::none;
    std::string reset_time;                    // Reset::timestamp: ISO 8601 or epoch milliseconds
    std::map<int32_t, int64_t> reset_offsets;  // Reset::offsets: partition -> offset
    std::optional<int> loaders;                // overrides kafka.input.loaders
    std::string metrics_address;               // HOST:PORT for /metrics; empty: none
};

}  // namespace dgkafka::load
