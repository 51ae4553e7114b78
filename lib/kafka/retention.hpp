#pragma once
// Messages that retention deleted before they were loaded: the gap between where a partition's
// load resumes and where its log now starts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/client.hpp"

namespace dgkafka::kafka {

// Where a partition's load would resume, the log no longer has: retention deleted the messages
// from there on (below the log start), or the log ends before it (the topic was deleted and
// created again, or its log truncated): what would be loaded from there is not what was meant.
struct RetentionGap {
    enum class Kind { deleted, past_end };
    int32_t partition = 0;
    int64_t stored = 0;     // where the load resumes (the offset the database holds)
    int64_t log_start = 0;  // the partition's first offset still in the log: where a skip resumes
    int64_t log_end = 0;    // the offset the next message will get
    Kind kind = Kind::deleted;
    // deleted: the messages retention deleted. past_end: 0, the log is not the one the stored
    // offset was taken from (what that one held past it is unknown); a skip loads it all.
    int64_t lost() const { return kind == Kind::deleted ? log_start - stored : 0; }
    const char* event() const { return kind == Kind::deleted ? "retention-gap" : "offset-past-end"; }
};

// The gap when `resume_at` lies below the log start or past its end, else nothing.
std::optional<RetentionGap> retention_gap(int32_t partition, int64_t resume_at, const Watermarks& marks);

// "topic t partition 0: stored offset 2000 is below the log start offset 4955: 2955 messages were
// deleted by retention before they were loaded"
std::string describe(const std::string& topic, const RetentionGap& gap);

// "topic t partition 5: stored offset 120, but the topic has 4 partition(s) now: ..." for a stored
// offset of a partition Kafka no longer has (the topic deleted and created again with fewer).
std::string describe_missing_partition(const std::string& topic, int32_t partition, int64_t stored, int partitions);

// The error that stops a load or a check (Exit::data_loss), naming every gap and the ways on.
[[noreturn]] void throw_data_loss(const std::string& topic, const std::vector<RetentionGap>& gaps);

}  // namespace dgkafka::kafka
