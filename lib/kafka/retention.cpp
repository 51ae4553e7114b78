#include "kafka/retention.hpp"

#include <fmt/format.h>

#include "util/errors.hpp"

namespace dgkafka::kafka {

std::optional<RetentionGap> retention_gap(int32_t partition, int64_t resume_at, const Watermarks& marks) {
    if (resume_at < marks.low)
        return RetentionGap{partition, resume_at, marks.low, marks.high, RetentionGap::Kind::deleted};
    if (resume_at > marks.high)
        return RetentionGap{partition, resume_at, marks.low, marks.high, RetentionGap::Kind::past_end};
    return std::nullopt;
}

std::string describe(const std::string& topic, const RetentionGap& gap) {
    if (gap.kind == RetentionGap::Kind::past_end)
        return fmt::format(
            "topic {} partition {}: stored offset {} is past the end of the partition's log (offsets {}..{}): "
            "the topic was deleted and created again, or its log truncated; messages from offset {} on "
            "would never be loaded",
            topic, gap.partition, gap.stored, gap.log_start, gap.log_end - 1, gap.log_end);
    return fmt::format(
        "topic {} partition {}: stored offset {} is below the log start offset {}: {} message(s) "
        "were deleted by retention before they were loaded",
        topic, gap.partition, gap.stored, gap.log_start, gap.lost());
}

std::string describe_missing_partition(const std::string& topic, int32_t partition, int64_t stored, int partitions) {
    return fmt::format(
        "topic {} partition {}: stored offset {}, but the topic has {} partition(s) now (partition not in Kafka): "
        "the topic was deleted and created again with fewer partitions; what that partition held and was not "
        "loaded is lost",
        topic, partition, stored, partitions);
}

void throw_data_loss(const std::string& topic, const std::vector<RetentionGap>& gaps) {
    std::string what;
    for (const auto& g : gaps) what += describe(topic, g) + "\n";
    what +=
        "nothing past the gap was loaded; to go on from the log start, run once with "
        "-force-reset-earliest, or set kafka.input.on_data_loss = \"skip\"";
    throw Error(Exit::data_loss, what);
}

}  // namespace dgkafka::kafka
