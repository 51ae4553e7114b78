#include "load/counters.hpp"

namespace dgkafka::load {

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

double PartitionProgress::stalled_seconds(Clock::time_point now) const {
    if (lag() <= 0) return 0;
    return std::chrono::duration<double>(now - std::max(committed, behind_since)).count();
}

void LoadCounters::committed(const std::map<int32_t, db::PartitionRange>& ranges, double seconds) {
    batch_seconds.observe(seconds);
    const auto now = PartitionProgress::Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [p, r] : ranges) {
        auto& progress = partitions_[p];
        progress.stored = r.end;
        progress.end = std::max(progress.end, r.latest);
        progress.committed = now;
    }
}

void LoadCounters::stored(const kafka::Offsets& offsets) {
    const auto now = PartitionProgress::Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [p, o] : offsets) {
        const auto [it, first] = partitions_.try_emplace(p);
        it->second.stored = o;
        if (first) it->second.committed = now;  // a stall counts from when the load took it
    }
}

void LoadCounters::ends(const kafka::Offsets& offsets) {
    const auto now = PartitionProgress::Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [p, end] : offsets) {
        const auto it = partitions_.find(p);
        if (it == partitions_.end()) continue;  // not taken by this process (yet)
        if (it->second.lag() <= 0 && end > it->second.stored) it->second.behind_since = now;
        it->second.end = std::max(it->second.end, end);
    }
}

std::map<int32_t, PartitionProgress> LoadCounters::partitions() const {
    std::lock_guard<std::mutex> lock(mu_);
    return partitions_;
}

void LoadCounters::target_committed(const std::vector<int64_t>& committed) {
    if (committed.size() < 2) return;  // one table: `rows` says it all
    std::lock_guard<std::mutex> lock(mu_);
    target_rows_.resize(std::max(target_rows_.size(), committed.size()));
    for (size_t i = 0; i < committed.size(); ++i) target_rows_[i] += committed[i];
}

std::vector<int64_t> LoadCounters::target_rows() const {
    std::lock_guard<std::mutex> lock(mu_);
    return target_rows_;
}

}  // namespace dgkafka::load
