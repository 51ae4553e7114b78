#pragma once
// csv2kafka: one Kafka message per CSV record, re-delimited so dgkafka load reads the same fields.
#include <atomic>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "kafka/properties.hpp"

namespace dgkafka::csv2kafka {

struct Csv2KafkaOptions {
    std::string read_delimiter = ",";  // one character or several (kafka.input.delimiter)
    std::string write_delimiter = ",";
    kafka::Properties properties;  // -X key=value, passed to librdkafka unchanged
    std::string brokers;
    std::string topic;
    std::string file;                // "-" = standard input
    bool header = false;             // first record names the fields and is not sent
    std::string key_column;          // a header name or a 1-based column number; empty = no key
    bool json = false;               // send {"field": "value", ...} using the header's names
    std::optional<long long> limit;  // at most this many messages
    double rate = 0;                 // messages per second, steady; 0 = as fast as possible
    bool progress = false;           // progress line on stderr
    bool skip_bad_lines = false;     // a malformed record is reported and skipped, not the end
    long long start_line = 1;        // records starting before this line are not sent (resuming)
    bool keep_blank_lines = false;   // send an empty line as an empty message
};

struct Csv2KafkaResult {
    long long messages = 0;  // acknowledged by the broker
    long long bytes = 0;
    long long failed = 0;
    long long bad_lines = 0;    // malformed records skipped (--skip-bad-lines) or the one that stopped it
    long long blank_lines = 0;  // empty lines not sent
    // Why the run ended before the end of the input, and the first line not sent.
    struct Stop {
        enum class Cause { malformed_record, signal } cause;
        size_t line;         // where to resume (--start-line)
        std::string reason;  // the malformed record's, naming its line
    };
    std::optional<Stop> stopped;
};

// Sends every record; at a malformed record it stops (or skips it) after flushing what was
// queued, and says where in the result. Throws Error(usage) / Error(data) for a missing header /
// Error(kafka).
Csv2KafkaResult run_csv2kafka(const Csv2KafkaOptions& options, std::istream& in, std::ostream& err,
                              const std::atomic<bool>& stop);

int csv2kafka_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                   const std::atomic<bool>& stop);

}  // namespace dgkafka::csv2kafka
