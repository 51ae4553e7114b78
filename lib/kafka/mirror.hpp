#pragma once
// Mirrors offsets the database already holds to the Kafka consumer group, so that Kafka's own
// tools show the group's lag. Never the source of truth, never in the way of a load.
#include <atomic>
#include <string>

#include "config/config.hpp"
#include "kafka/client.hpp"

namespace dgkafka::kafka {

class OffsetMirror {
  public:
    explicit OffsetMirror(const Config& cfg);
    ~OffsetMirror();

    void commit(const Offsets& next);  // asynchronous; thread-safe

    // A last commit of `next`, waiting at most wait_ms for the group coordinator to confirm it
    // (0: not at all, the brokers being known to be down).
    void finish(const Offsets& next, int wait_ms);

  private:
    const Config& cfg_;
    HandlePtr rk_;
    std::atomic<bool> unconfirmed_{false};  // commits may still wait for an unreachable coordinator
};

}  // namespace dgkafka::kafka
