#pragma once
// One batch of messages on its way into the database: the messages themselves (held until the
// batch is done, so a rejected one can be recorded with its raw bytes), their COPY lines, and
// the messages refused along the way.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "db/offsets.hpp"

namespace dgkafka {

// COPY lines for the rejected-rows table.
class Rejects {
public:
    Rejects(const std::string& group, const std::string& topic);
    void add(const rd_kafka_message_t* m, std::string_view error, std::string_view sqlstate);
    size_t count() const { return count_; }
    const std::string& lines() const { return lines_; }
    const std::string& last_error() const { return last_error_; }
    void clear();

private:
    std::string prefix_;  // group and topic, already escaped
    std::string lines_;
    std::string last_error_;
    size_t count_ = 0;
};

struct Batch {
    Batch(const std::string& group, const std::string& topic) : rejects(group, topic) {}
    ~Batch() { clear(); }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    std::vector<rd_kafka_message_t*> messages;  // owned
    std::string rows;                           // COPY lines of the messages that encoded
    std::vector<size_t> row_start;              // where each row begins in `rows`
    std::vector<uint32_t> row_message;          // index in `messages` of each row
    std::map<int32_t, db::PartitionRange> ranges;
    Rejects rejects;
    std::chrono::steady_clock::time_point opened;
    double opened_epoch = 0;

    bool empty() const { return messages.empty(); }
    std::string_view row(size_t i) const;  // with its newline
    const rd_kafka_message_t* row_source(size_t i) const { return messages[row_message[i]]; }
    void clear();
};

}  // namespace dgkafka
