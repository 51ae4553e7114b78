#pragma once
// Test access to the sandbox that scripts/sandbox.sh started (the ctest fixture does it):
// its PostgreSQL, its mock broker's control port, and the built binaries.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace dgtest {

// Reads the sandbox's env file once and exports its PG* settings for libpq.
const std::map<std::string, std::string>& sandbox();
std::string brokers();

// A name unique to this test run, usable as topic, table or group name.
std::string unique_name(const std::string& prefix);

// One reply line from a broker's control port (default: the sandbox's); throws unless "ok...".
std::string control(const std::string& command, const std::string& address = "");

// A broker of the test's own, for faults that must not touch other tests' topics.
struct PrivateBroker {
    PrivateBroker();
    ~PrivateBroker();
    std::string brokers, control_address;
    std::string control(const std::string& command) const { return dgtest::control(command, control_address); }
};
void create_topic(const std::string& topic, int partitions);

struct Record {
    std::string value;
    std::optional<std::string> key = std::nullopt;
    int32_t partition = -1;  // -1: let the partitioner choose
    bool tombstone = false;  // no value at all (value ignored)
    std::vector<std::pair<std::string, std::string>> headers = {};
};
// Produces and waits until every message is acknowledged; returns the count acknowledged.
void produce(const std::string& topic, const std::vector<Record>& records);
int64_t high_watermark(const std::string& topic, int32_t partition);
int64_t low_watermark(const std::string& topic, int32_t partition);  // the log start: retention moves it

// Plain SQL against the sandbox database.
std::unique_ptr<pqxx::connection> db();
void sql(const std::string& statement);
std::string sql_value(const std::string& query);  // first column of the first row ("" for NULL)
int64_t sql_count(const std::string& query);
// "rows:md5" of a table's rows as text in the given order: equal checksums, equal tables.
std::string checksum(const std::string& table, const std::string& order_by);
// Server-side COPY of CSV rows into a table (expected data for comparisons).
void copy_rows(const std::string& table, const std::vector<std::string>& rows, char delimiter);
// Polls a real condition (rows visible, offsets moved) until it holds or the time is up.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

struct Result {
    int code = -1;
    std::string out, err;
};
// Runs a built binary (dgkafka, csv2kafka) with arguments and optional standard input.
Result run(const std::string& binary, const std::vector<std::string>& args, const std::string& input = "");
// Starts one without waiting; stdout and stderr go to files (see Spawned).
struct Spawned {
    int pid = -1;
    std::string out_file, err_file;
    // Waits for exit and reads both files; a process still running after `timeout` is killed and
    // the test fails.
    Result wait(std::chrono::seconds timeout = std::chrono::seconds(240));
    bool exited();    // without waiting
    int status = -1;  // set once reaped
};
Spawned spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& stdin_file = "");

std::string write_file(const std::string& name, const std::string& content);  // in a temp dir; returns path
// A shell command's standard output; throws when it cannot run or exits non-zero (an independent
// producer: /usr/bin/python3 scripts).
std::string shell(const std::string& command);
std::string from_hex(const std::string& hex);  // "00ff" -> "\x00\xff"

}  // namespace dgtest
