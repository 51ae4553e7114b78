#pragma once
// csv2kafka: one Kafka message per CSV record, re-delimited so dgkafka load reads the same fields.
#include <atomic>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "kafka/properties.hpp"

namespace dgkafka {

struct Csv2KafkaOptions {
    std::string read_delimiter = ",";   // one character or several (kafka.input.delimiter)
    std::string write_delimiter = ",";
    kafka::Properties properties;  // -X key=value, passed to librdkafka unchanged
    std::string brokers;
    std::string topic;
    std::string file;               // "-" = standard input
    bool header = false;            // first record names the fields and is not sent
    std::string key_column;         // a header name or a 1-based column number; empty = no key
    bool json = false;              // send {"field": "value", ...} using the header's names
    std::optional<long long> limit; // at most this many messages
    double rate = 0;                // messages per second, steady; 0 = as fast as possible
    bool progress = false;          // progress line on stderr
};

struct Csv2KafkaResult {
    long long messages = 0;  // acknowledged by the broker
    long long bytes = 0;
    long long failed = 0;
};

// Throws Error(usage) / Error(data) naming the line of a malformed record / Error(kafka).
Csv2KafkaResult run_csv2kafka(const Csv2KafkaOptions& options, std::istream& in, std::ostream& err,
                              const std::atomic<bool>& stop);

int csv2kafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                   const std::atomic<bool>& stop);

}  // namespace dgkafka
