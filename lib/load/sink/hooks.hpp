#pragma once
// The job's own SQL around a load: before_load_sql once at the start, after_batch_sql after
// committed batches (a rollup, a refresh). Run from one thread on one connection, so never
// concurrently with itself; a failure is reported and never undoes loaded rows.
#include <chrono>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>

#include "config/config.hpp"

namespace dgkafka::load {

class BatchHooks {
  public:
    explicit BatchHooks(const Config& cfg) : cfg_(cfg) {}

    // Throws Error(database): a job whose setup statement fails should not start.
    void before_load();
    // Call often; runs after_batch_sql when batches were committed since its last run and
    // after_batch_interval has passed (or always, with `final`).
    void after_batches(int64_t committed_batches, bool final);

  private:
    const Config& cfg_;
    std::unique_ptr<pqxx::connection> conn_;
    int64_t seen_batches_ = 0;
    std::chrono::steady_clock::time_point last_run_{};
};

}  // namespace dgkafka::load
