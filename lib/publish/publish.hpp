#pragma once
// dgkafka publish: sends the rows of the outbox table (kafka.input.ext_write_table) to the topic
// in insertion order, each as one message in the job's format, and deletes a row only after Kafka
// acknowledged its message. A crash loses nothing: unacknowledged rows are sent again.
#include <atomic>
#include <ostream>

#include "config/config.hpp"

namespace dgkafka::publish {

struct PublishOptions {
    bool quit_at_eof = false;     // stop once the outbox is empty
    std::string metrics_address;  // HOST:PORT for /metrics; empty: none
};

void run_publish(const Config& cfg, const PublishOptions& options, std::ostream& out, const std::atomic<bool>& stop);

}  // namespace dgkafka::publish
