#include "util/service.hpp"

#include <systemd/sd-daemon.h>

#include <atomic>

namespace dgkafka::service {

namespace {
std::atomic<bool> stopping_sent{false};
}

void ready(const std::string& status) {
    stopping_sent = false;
    sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void stopping() {
    if (!stopping_sent.exchange(true)) sd_notify(0, "STOPPING=1");
}

}  // namespace dgkafka::service
