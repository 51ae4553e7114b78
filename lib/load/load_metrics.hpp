#pragma once
// /metrics of a running load: the loaders' counters in Prometheus' text format, one set of series
// per topic of the job (labelled by topic), each family once.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "load/counters.hpp"
#include "metrics/server.hpp"

namespace dgkafka::load {

// The topics a process loads, each with its counters; a topic found while streaming joins it.
class MetricsBoard {
  public:
    struct Topic {
        const Config* cfg;
        const LoadCounters* counters;
    };
    void add(const Config& cfg, const LoadCounters& counters);
    void remove(const LoadCounters& counters);
    std::string render() const;

  private:
    mutable std::mutex mu_;
    std::vector<Topic> topics_;
};

std::string render_load_metrics(const std::vector<MetricsBoard::Topic>& topics);
// None when `address` is empty.
std::unique_ptr<metrics::Server> serve_load_metrics(const std::string& address, const MetricsBoard& board);

}  // namespace dgkafka::load
