#pragma once
// The offsets a consumer group holds in Kafka, and who wrote them: dgkafka marks its own commits
// with a metadata string naming the output table, so an offset written by another tool (the
// previous loader, an operator's kafka-consumer-groups.sh --reset-offsets) can be told apart.
#include <map>
#include <optional>
#include <string>

#include "kafka/client.hpp"

namespace dgkafka::kafka {

struct GroupOffset {
    int64_t offset = -1;
    std::string metadata;
};
using GroupOffsets = std::map<int32_t, GroupOffset>;  // partitions with a committed offset only

// The metadata dgkafka commits with: "dgkafka output_table=<table>".
std::string commit_mark(const std::string& output_table);

// The output table a commit of dgkafka's was for; nullopt when another tool wrote it.
std::optional<std::string> marked_table(const std::string& metadata);

// Sets every element's commit metadata to `mark`.
void mark(rd_kafka_topic_partition_list_t* list, const std::string& mark);

// The group's committed offsets with their metadata (one OffsetFetch); throws Error(kafka).
GroupOffsets group_offsets(const std::string& brokers, const Properties& user, const std::string& group,
                           const std::string& topic, int partitions);

// Commits `offsets` marked as dgkafka's for output_table, waiting for the answer; returns
// librdkafka's error text, empty on success (an active group refuses commits from non-members).
std::string commit_marked(const std::string& brokers, const Properties& user, const std::string& group,
                          const std::string& topic, const Offsets& offsets, const std::string& output_table);

}  // namespace dgkafka::kafka
