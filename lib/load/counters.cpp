#include "load/counters.hpp"

namespace dgkafka {

void LoadCounters::skipped(const kafka::RetentionGap& gap) {
    lost += gap.lost();
    if (gap.kind == kafka::RetentionGap::Kind::past_end) ++restarted;
}

void LoadCounters::committed(const std::map<int32_t, db::PartitionRange>& ranges, double seconds) {
    batch_seconds.observe(seconds);
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [p, r] : ranges)
        partitions_[p] = PartitionProgress{r.end, r.latest >= 0 ? std::max<int64_t>(0, r.latest - r.end) : -1};
}

std::map<int32_t, PartitionProgress> LoadCounters::partitions() const {
    std::lock_guard<std::mutex> lock(mu_);
    return partitions_;
}

}  // namespace dgkafka
