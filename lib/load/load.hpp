#pragma once
#include <atomic>
#include <ostream>

#include "config/config.hpp"
#include "load/options.hpp"

namespace dgkafka::load {

// dgkafka load: checks the job, applies a reset, runs the loaders, prints a summary on `out`.
// Returns normally on success or when `stop` was set; throws Error otherwise.
void run_load(const Config& cfg, const LoadOptions& options, std::ostream& out, const std::atomic<bool>& stop);

}  // namespace dgkafka::load
