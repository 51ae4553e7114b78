#include "load/end_watch.hpp"

namespace dgkafka::load {

namespace {
// Brokers down: a request ends here, so a stop never waits longer for it.
constexpr int request_timeout_ms = 1000;
}  // namespace

EndOffsetWatch::EndOffsetWatch(const Config& cfg, int partitions, LoadCounters& counters,
                               std::chrono::milliseconds every)
    : cfg_(cfg), counters_(counters), every_(every), rk_(kafka::make_admin(cfg.brokers, cfg.kafka_properties)) {
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
        counters_.ends(kafka::end_offsets(rk_.get(), cfg_.topic, partitions_, request_timeout_ms));
        lock.lock();
    }
}

}  // namespace dgkafka::load
