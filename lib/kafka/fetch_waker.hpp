#pragma once
// Keeps a consumer's prefetch going with librdkafka before 2.1.
//
// Such a librdkafka stops fetching a partition once the consumer's queue holds
// queued.min.messages (or queued.max.messages.kbytes), and decides to fetch again only when the
// broker thread that leads the partition wakes up: on network traffic, or after a second at the
// latest (rd_kafka_max_block_ms). When the application drains the queue faster than that, and a
// database loader does, it waits for data for up to a second each time the queue filled
// (scripts/bench.sh measured a load 2.7 times slower than psql \copy because of it).
// librdkafka 2.1 made that wait fetch.queue.backoff.ms.
//
// The waker wakes those broker threads each time the application has consumed half of the queue's
// limits since the last time, by asking them for the partitions' end offsets (a ListOffsets
// request each, sent from its own thread so the consumer never waits for the answer).
#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "kafka/properties.hpp"

namespace dgkafka::kafka {

// True when this librdkafka stalls as described above (it has no fetch.queue.backoff.ms).
bool needs_fetch_waker();

// The consumer defaults that replace the waker where librdkafka has fetch.queue.backoff.ms.
Properties fetch_backoff_defaults();

class FetchWaker {
  public:
    // Reads the consumer's queue limits; `consumer` must outlive the waker.
    explicit FetchWaker(rd_kafka_t* consumer);
    ~FetchWaker();
    FetchWaker(const FetchWaker&) = delete;
    FetchWaker& operator=(const FetchWaker&) = delete;

    // Called by the consuming thread after each poll; cheap.
    void consumed(size_t messages, size_t bytes);

  private:
    void serve();
    void wake();

    rd_kafka_t* const consumer_;
    size_t message_step_ = 0;          // half of queued.min.messages
    size_t byte_step_ = 0;             // half of queued.max.messages.kbytes
    size_t messages_ = 0, bytes_ = 0;  // consumed since the last wake-up (consuming thread only)
    std::mutex mutex_;
    std::condition_variable wanted_;
    bool pending_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dgkafka::kafka
