#include "util/service.hpp"

#include <systemd/sd-daemon.h>

#include <atomic>
#include <cstdint>

namespace dgkafka::service {

namespace {
std::atomic<bool> stopping_sent{false};

// Half the watchdog timeout systemd asks for, or zero when it asks for none (or asks another pid).
std::chrono::microseconds watchdog_interval() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(usec / 2);
}
}  // namespace

void ready(const std::string& status) {
    stopping_sent = false;
    sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void stopping() {
    if (!stopping_sent.exchange(true)) sd_notify(0, "STOPPING=1");
}

Watchdog::Watchdog() : Watchdog(watchdog_interval()) {}

bool Watchdog::tick(std::chrono::steady_clock::time_point now) {
    if (interval_.count() <= 0 || (sent_ && now - last_ < interval_)) return false;
    sd_notify(0, "WATCHDOG=1");
    last_ = now;
    sent_ = true;
    return true;
}

}  // namespace dgkafka::service
