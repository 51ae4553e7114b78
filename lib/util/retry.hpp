#pragma once
// One retry policy for every connection of every command (load, publish, check): an attempt that
// throws Unavailable is logged once and tried again after a jittered backoff, until it succeeds,
// the deadline passes or the stop flag is set. Any other error ends at once.
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

    // Runs `attempt` until it returns; throws the last Unavailable, saying for how long it was
    // tried, when the deadline passes or a signal stops the wait.
    template <typename F>
    auto run(F&& attempt) const -> decltype(attempt()) {
        Backoff backoff(0);  // the deadline is kept here, from the first attempt
        const auto started = std::chrono::steady_clock::now();
        for (int tries = 1;; ++tries) {
            try {
                return attempt();
            } catch (const Unavailable& e) {
                const double waited = seconds_since(started);
                if (stop_) throw Unavailable(e.code(), std::string(e.what()) + " (stopped by signal while waiting)");
                if (limit_ > 0 && waited >= limit_) throw Unavailable(e.code(), give_up_text(waited, e.what()));
                log::warn("{}; retrying (attempt {}, {:.0f} s so far)", e.what(), tries, waited);
                backoff.wait(stop_);
            }
        }
    }

    // How long one attempt may block (a metadata request): not much past the deadline.
    int attempt_ms(int preferred_ms) const {
        if (limit_ <= 0) return preferred_ms;
        return std::max(500, std::min(preferred_ms, static_cast<int>(limit_ * 1000)));
    }

    static std::string give_up_text(double seconds, const std::string& what) {
        return "gave up after " + std::to_string(static_cast<int64_t>(seconds + 0.5)) +
               " s (kafka.commit.retry_timeout): " + what;
    }

private:
    RetryPolicy(double limit_seconds, const std::atomic<bool>& stop) : limit_(limit_seconds), stop_(stop) {}
    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    double limit_;  // seconds; 0: for ever
    const std::atomic<bool>& stop_;
};

}  // namespace dgkafka
