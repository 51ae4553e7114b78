#pragma once
// One batch of messages on its way into the database: their COPY lines, their raw bytes (so a
// message the database refuses can be recorded as it came), and the messages refused so far.
// librdkafka's messages are released as soon as they are copied: holding them would pin whole
// fetch buffers.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "db/offsets.hpp"
#include "vocabulary/message.hpp"

namespace dgkafka::load {

// COPY lines for the rejected-rows table.
class Rejects {
  public:
    Rejects(const std::string& group, const std::string& topic);
    void add(const Message& m, std::string_view error, std::string_view sqlstate);
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

    std::string rows;                   // COPY lines of the messages that encoded
    std::vector<size_t> row_start;      // where each row begins in `rows`
    std::vector<uint32_t> row_message;  // index of each row's message
    std::map<int32_t, db::PartitionRange> ranges;
    Rejects rejects;
    // Written by the database side: the rows each output table kept (LoadStatements::moves order;
    // empty on the direct path), and the messages no output table's filter took.
    std::vector<int64_t> target_rows;
    size_t unmatched = 0;
    std::chrono::steady_clock::time_point opened;
    double opened_epoch = 0;

    // Keeps a copy of the message's bytes; returns its index.
    uint32_t keep(const Message& m);
    Message message(uint32_t i) const;
    size_t size() const { return kept_.size(); }
    bool empty() const { return kept_.empty(); }
    size_t bytes() const { return raw_.size() + rows.size(); }
    std::string_view row(size_t i) const;  // with its newline
    Message row_source(size_t i) const { return message(row_message[i]); }
    void clear();
    void trim(size_t bytes);  // after clear(): gives back buffers grown past `bytes`

  private:
    struct Kept {
        size_t value_at, value_len, key_at, key_len;
        int64_t offset, timestamp_ms;
        int32_t partition;
        bool has_key, has_value;  // a tombstone has no value, not an empty one
    };
    std::string raw_;  // every kept message's value and key, back to back
    std::vector<Kept> kept_;
};

}  // namespace dgkafka::load
