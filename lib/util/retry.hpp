#pragma once
// One retry policy for every connection of every command (load, publish, check): an attempt that
// throws Unavailable is logged once and tried again after a jittered backoff, until it succeeds,
// the deadline passes (Unavailable) or the stop flag is set (Stopped: a clean end). Any other
// error ends at once.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "util/backoff.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

namespace dgkafka {

class RetryPolicy {
  public:
    // Streaming runs wait for ever; -quit-at-eof runs and one-shot commands up to retry_timeout.
    static RetryPolicy for_run(bool bounded, double retry_timeout, const std::atomic<bool>& stop) {
        return RetryPolicy(bounded ? retry_timeout : 0, stop);
    }

    // The retries of a loop that keeps its own state between attempts (a loader's batches): the
    // same backoff and deadline as run(), the deadline counted from the first failure since the
    // last success.
    class Attempts {
      public:
        void succeeded() { backoff_.success(); }
        // Waits before the next attempt (a signal cuts it short); false once the deadline passed.
        bool failed() { return backoff_.wait(stop_); }
        double failing_for() const { return backoff_.failing_for(); }

      private:
        friend class RetryPolicy;
        Attempts(double limit, const std::atomic<bool>& stop) : backoff_(limit), stop_(stop) {}
        Backoff backoff_;  // its last wait ends at the deadline
        const std::atomic<bool>& stop_;
    };
    Attempts attempts() const { return Attempts(limit_, stop_); }

    // Runs `attempt` until it returns; throws the last Unavailable, saying for how long it was
    // tried, when the deadline passes, or Stopped when a signal ends the wait.
    template <typename F>
    auto run(F&& attempt) const -> decltype(attempt()) {
        auto retries = attempts();
        const auto started = std::chrono::steady_clock::now();
        for (int tries = 1;; ++tries) {
            try {
                return attempt();
            } catch (const Unavailable& e) {
                const double waited = seconds_since(started);  // the first attempt's time counts too
                if (stop_) throw Stopped(stopped_text(e.what()));
                if (limit_ > 0 && waited >= limit_) throw Unavailable(e.code(), give_up_text(limit_, waited, e.what()));
                log::warn("{}; retrying (attempt {}, {:.0f} s so far)", e.what(), tries, waited);
                retries.failed();
                if (stop_) throw Stopped(stopped_text(e.what()));  // at once, not after one more attempt
            }
        }
    }

    // How long one attempt may block (a metadata request): not much past the deadline.
    int attempt_ms(int preferred_ms) const {
        if (limit_ <= 0) return preferred_ms;
        return std::max(500, std::min(preferred_ms, static_cast<int>(limit_ * 1000)));
    }

    // "gave up after 3.1 s (kafka.commit.retry_timeout = 3 s): <what>"
    static std::string give_up_text(double limit, double seconds, const std::string& what) {
        return fmt::format("gave up after {:.1f} s (kafka.commit.retry_timeout = {:g} s): {}", seconds, limit, what);
    }

  private:
    static std::string stopped_text(const std::string& what) {
        return "stopped by signal while waiting (" + what + "): nothing was done";
    }

    RetryPolicy(double limit_seconds, const std::atomic<bool>& stop) : limit_(limit_seconds), stop_(stop) {}
    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    double limit_;  // seconds; 0: for ever
    const std::atomic<bool>& stop_;
};

}  // namespace dgkafka
