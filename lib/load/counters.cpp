#include "load/counters.hpp"

namespace dgkafka {

bool RejectBudget::reserve(int64_t n, int64_t limit) {
    int64_t used = used_;
    do {
        if (used + n > limit) return false;
    } while (!used_.compare_exchange_weak(used, used + n));
    return true;
}

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
