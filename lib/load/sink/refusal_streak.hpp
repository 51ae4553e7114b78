#pragma once
// The "job is wrong, stop" rule across batches. Within one batch of 10 or more rows BatchWriter
// judges the job by a sample; a slow stream (one message a batch) never has such a batch, so a
// broken mapping would reject every message for ever. This counts the rows the database refused
// since it last accepted one, over the loader's batches, and judges at the same sample size.
#include <cstddef>

namespace dgkafka::load {

class RefusalStreak {
  public:
    explicit RefusalStreak(size_t sample) : sample_(sample) {}
    // A batch about to commit: `accepted` rows the database took, `refused` it refused. True when
    // the database has refused `sample` rows in a row without taking one: do not commit, stop.
    bool job_at_fault(size_t accepted, size_t refused) const { return accepted == 0 && streak_ + refused >= sample_; }
    // The batch committed.
    void committed(size_t accepted, size_t refused) { streak_ = accepted > 0 ? 0 : streak_ + refused; }
    size_t sample() const { return sample_; }

  private:
    size_t sample_;
    size_t streak_ = 0;
};

}  // namespace dgkafka::load
