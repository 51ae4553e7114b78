#pragma once
// Asks the brokers for the topic's end offsets every few seconds, in a thread of its own: the lag
// on /metrics stays true while the loaders cannot commit (the database down) and whatever they
// wait for (the stored offsets are the database's, as last read or committed), and an outage of
// the brokers is seen and said by dgkafka itself (LoadCounters::kafka_outage, kafka_retries).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

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
    void ask();

    const Config& cfg_;
    std::vector<int32_t> partitions_;
    LoadCounters& counters_;
    const std::chrono::milliseconds every_;
    kafka::HandlePtr rk_;  // made at the first request: a run shorter than `every` never connects
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the rest is built
};

}  // namespace dgkafka::load
