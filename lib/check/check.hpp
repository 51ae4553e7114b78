#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>

#include "config/config.hpp"

namespace dgkafka::check {

struct CheckOptions {
    bool json = false;
    int history = 0;                 // last N batches per partition; 0 = none
    std::optional<int64_t> max_lag;  // exit Exit::lagging when a partition lags more
};

// dgkafka check: recorded offsets (database) beside Kafka's, with the lag. Throws Error with
// not_set_up, no_topic, database or kafka when one side cannot be read; with the brokers
// unreachable, it prints the database side first (Kafka's columns "unavailable"), then exits kafka.
void run_check(const Config& cfg, const CheckOptions& options, std::ostream& out, const std::atomic<bool>& stop);

}  // namespace dgkafka::check
