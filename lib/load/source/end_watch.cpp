#include "load/source/end_watch.hpp"

#include <fmt/format.h>

namespace dgkafka::load {

namespace {
// Brokers down: a request ends here, so a stop never waits longer for it.
constexpr int request_timeout_ms = 1000;
constexpr int watcher = 0;  // its one "attempter" in kafka_outage
}  // namespace

EndOffsetWatch::EndOffsetWatch(const Config& cfg, int partitions, LoadCounters& counters,
                               std::chrono::milliseconds every)
    : cfg_(cfg), counters_(counters), every_(every) {
    for (int32_t p = 0; p < partitions; ++p) partitions_.push_back(p);
    thread_ = std::thread([this] { run(); });
}

EndOffsetWatch::~EndOffsetWatch() {
    stop();
    thread_.join();
}

void EndOffsetWatch::stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
}

void EndOffsetWatch::run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, every_, [this] { return stopping_; })) {
        lock.unlock();
        ask();
        lock.lock();
    }
}

void EndOffsetWatch::ask() {
    try {
        if (!rk_) rk_ = kafka::make_admin(cfg_.brokers, cfg_.kafka_properties);
    } catch (const Error&) {
        return;  // the same settings made the loaders' consumers: not expected
    }
    std::string error;
    const auto ends = kafka::end_offsets(rk_.get(), cfg_.topic, partitions_, request_timeout_ms, error);
    if (error.empty()) {
        counters_.ends(ends);
        counters_.kafka_outage.succeeded(watcher);
        return;
    }
    ++counters_.kafka_retries;
    counters_.kafka_outage.failed(
        watcher, fmt::format("topic {}: no end offset from the brokers {}: {}", cfg_.topic, cfg_.brokers, error));
}

}  // namespace dgkafka::load
