#pragma once
// Jittered exponential backoff with a deadline, interruptible by the stop flag.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace dgkafka {

class Backoff {
  public:
    // give_up_after <= 0: retry for ever.
    explicit Backoff(double give_up_after_seconds) : limit_(give_up_after_seconds) {}

    void success() { failing_ = false; }

    // Waits before the next attempt. False when the deadline has passed: the caller gives up.
    bool wait(const std::atomic<bool>& stop) {
        const auto now = std::chrono::steady_clock::now();
        if (!failing_) {
            failing_ = true;
            first_failure_ = now;
            delay_ = std::chrono::milliseconds(100);
        }
        if (limit_ > 0 && now - first_failure_ >= std::chrono::duration<double>(limit_)) return false;
        std::uniform_real_distribution<double> jitter(0.5, 1.0);
        auto until = now + std::chrono::duration_cast<std::chrono::milliseconds>(delay_ * jitter(rng_));
        // The last wait ends at the deadline, not a doubled step past it.
        const auto limit =
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(limit_));
        if (limit_ > 0) until = std::min(until, first_failure_ + limit);
        while (!stop && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        delay_ = std::min(delay_ * 2, std::chrono::milliseconds(5000));
        return true;
    }

    double failing_for() const {
        return failing_ ? std::chrono::duration<double>(std::chrono::steady_clock::now() - first_failure_).count() : 0;
    }

  private:
    double limit_;
    bool failing_ = false;
    std::chrono::steady_clock::time_point first_failure_;
    std::chrono::milliseconds delay_{100};
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace dgkafka
