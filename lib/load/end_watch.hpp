#pragma once
// Asks the brokers for the topic's end offsets every few seconds, in a thread of its own, so that
// the lag on /metrics stays true while the loaders cannot commit (the database down) and whatever
// they are waiting for; the stored offsets are the database's, as last read or committed.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "kafka/client.hpp"
#include "load/counters.hpp"

namespace dgkafka::load {

class EndOffsetWatch {
public:
    EndOffsetWatch(const Config& cfg, int partitions, LoadCounters& counters,
                   std::chrono::milliseconds every = std::chrono::seconds(5));
    ~EndOffsetWatch();  // stops it; waits at most for the request in flight

    void stop();  // without waiting: a stop begins

private:
    void run();

    const Config& cfg_;
    std::vector<int32_t> partitions_;
    LoadCounters& counters_;
    const std::chrono::milliseconds every_;
    kafka::HandlePtr rk_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the rest is built
};

}  // namespace dgkafka::load
