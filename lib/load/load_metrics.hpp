#pragma once
// /metrics of a running load: the loaders' counters in Prometheus' text format.
#include <memory>
#include <string>

#include "config/config.hpp"
#include "load/counters.hpp"
#include "metrics/server.hpp"

namespace dgkafka::load {

std::string render_load_metrics(const Config& cfg, const LoadCounters& counters);
// None when `address` is empty.
std::unique_ptr<metrics::Server> serve_load_metrics(const Config& cfg, const std::string& address,
                                                    const LoadCounters& counters);

}  // namespace dgkafka::load
