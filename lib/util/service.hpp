#pragma once
// Tells systemd (Type=notify) when a long-running command is ready and when it begins to stop;
// does nothing unless NOTIFY_SOCKET is set.
#include <chrono>
#include <string>

namespace dgkafka::service {

void ready(const std::string& status);
void stopping();

// WatchdogSec= in the unit: systemd restarts a process that stays silent that long. The loop that
// supervises the loaders calls tick() often; it sends WATCHDOG=1 every half of that time.
class Watchdog {
  public:
    Watchdog();  // from the environment systemd gives (sd_watchdog_enabled); off without it
    // Every `interval` (zero: never).
    explicit Watchdog(std::chrono::microseconds interval) : interval_(interval) {}

    // Sends WATCHDOG=1 when one is due at `now`; says whether it did.
    bool tick(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    std::chrono::microseconds interval() const { return interval_; }

  private:
    std::chrono::microseconds interval_{0};
    std::chrono::steady_clock::time_point last_{};
    bool sent_ = false;
};

}  // namespace dgkafka::service
