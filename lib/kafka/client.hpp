#pragma once
// Thin RAII over librdkafka's C API: handles, metadata, watermarks, a per-loader consumer.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/properties.hpp"
#include "vocabulary/offsets.hpp"

namespace dgkafka::kafka {

struct HandleDeleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct ListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

using Offsets = PartitionOffsets;

struct Watermarks {
    int64_t low = 0;   // earliest offset still in the log
    int64_t high = 0;  // offset the next produced message will get
};

constexpr int metadata_timeout_ms = 10000;

// Creates a handle of `type` from the conf (taking it over); throws Error(kafka).
HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf);

// A client for metadata and offset look-ups only.
HandlePtr make_admin(const std::string& brokers, const Properties& user);

// Partition count of the topic; throws Error(no_topic) if it does not exist, Unavailable(kafka)
// if the brokers cannot be reached within timeout_ms or `stop` is set meanwhile (looked at every
// second: a stop signal does not wait for the whole timeout).
int partition_count(rd_kafka_t* rk, const std::string& topic, const std::string& brokers,
                    int timeout_ms = metadata_timeout_ms, const std::atomic<bool>* stop = nullptr);

// The names of every topic the brokers know, internal ones (__consumer_offsets) left out.
std::vector<std::string> topic_names(rd_kafka_t* rk, const std::string& brokers, int timeout_ms = metadata_timeout_ms,
                                     const std::atomic<bool>* stop = nullptr);
// Loads every topic's metadata into the handle's cache, so that partitions assigned next start
// fetching at once: otherwise a new topic waits for librdkafka's own refresh of unknown topics
// (once a second). Best effort: a handle without it asks on its own.
void warm_metadata(rd_kafka_t* rk);

// Asks the partition leader; throws Error(kafka) (Unavailable when transient) naming topic and partition.
Watermarks query_watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition);

// The end offsets of the partitions, one ListOffsets request per leader, waiting at most
// timeout_ms; partitions whose leader did not answer are left out (brokers down: none, and
// `error` says why).
Offsets end_offsets(rd_kafka_t* rk, const std::string& topic, const std::vector<int32_t>& partitions, int timeout_ms,
                    std::string& error);

// For each partition, the offset of its first message at or after `ms` (epoch milliseconds), or
// its end offset when there is none. Asks the brokers; where one cannot answer by time, probes
// messages (a binary search that assumes timestamps grow with offsets).
Offsets offsets_for_time(rd_kafka_t* rk, const std::string& topic, int partitions, int64_t ms,
                         const std::string& brokers, const Properties& user);

ListPtr make_list(const std::string& topic, const Offsets& offsets);

// Queues one message (copied); when the local queue is full, serves delivery reports until there
// is room. Returns librdkafka's error for any other refusal. A null key_data means no key.
rd_kafka_resp_err_t produce(rd_kafka_t* rk, const std::string& topic, std::string_view value, const void* key_data,
                            size_t key_size, void* opaque);

std::string error_text(rd_kafka_resp_err_t err);

// Errors a later attempt can get past: brokers unreachable, leaders or coordinators moving.
bool is_transient(rd_kafka_resp_err_t err);

}  // namespace dgkafka::kafka
