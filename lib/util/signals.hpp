#pragma once
#include <atomic>

namespace dgkafka {

// SIGINT and SIGTERM only set the returned flag; loops look at it and finish cleanly.
const std::atomic<bool>& install_stop_signals();

}  // namespace dgkafka
