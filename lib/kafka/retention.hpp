#pragma once
// Messages that retention deleted before they were loaded: the gap between where a partition's
// load resumes and where its log now starts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/client.hpp"

namespace dgkafka::kafka {

struct RetentionGap {
    int32_t partition = 0;
    int64_t stored = 0;     // where the load resumes (the offset the database holds)
    int64_t log_start = 0;  // the partition's first offset still in the log
    int64_t lost() const { return log_start - stored; }
};

// The gap when `resume_at` lies below the log start, else nothing.
std::optional<RetentionGap> retention_gap(int32_t partition, int64_t resume_at, const Watermarks& marks);

// "topic t partition 0: stored offset 2000 is below the log start offset 4955: 2955 messages were
// deleted by retention before they were loaded"
std::string describe(const std::string& topic, const RetentionGap& gap);

// The error that stops a load or a check (Exit::data_loss), naming every gap and the ways on.
[[noreturn]] void throw_data_loss(const std::string& topic, const std::vector<RetentionGap>& gaps);

}  // namespace dgkafka::kafka
