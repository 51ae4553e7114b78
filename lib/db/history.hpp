#pragma once
// Keeps the offset history bounded: a long-running load prunes its partitions' `load` rows past
// the retention (kafka.output.history_keep_rows, history_keep_days) in small steps, each in a
// transaction of its own after a committed batch. Starts, resets and retention gaps are kept.
#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace dgkafka::db {

class HistoryPruner {
  public:
    explicit HistoryPruner(const Config& cfg);

    // After a committed batch of these partitions: runs a step after the first batch, then once a
    // tenth of history_keep_rows batches (at most 1000) or a minute has passed. A step deletes at
    // most a few times that many rows a partition, so a history left long unpruned shrinks over
    // several steps. Returns the rows deleted. Never throws: pruning is housekeeping, and a failed
    // step is tried again at the next (a role without DELETE on the table is warned about once).
    int64_t after_commit(pqxx::connection& conn, const std::vector<int32_t>& partitions);

    bool enabled() const { return enabled_; }

  private:
    std::string group_, topic_, output_table_, sql_, table_;
    int64_t keep_rows_;
    double keep_days_;
    bool enabled_;
    int64_t every_batches_, step_rows_;
    int64_t batches_ = 0;  // committed since the last step
    bool ran_ = false;
    std::chrono::steady_clock::time_point last_;
    std::set<int32_t> pending_;  // partitions that gained rows since the last step
};

}  // namespace dgkafka::db
