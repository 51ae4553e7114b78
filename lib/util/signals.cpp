#include "util/signals.hpp"

#include <unistd.h>

#include <csignal>
#include <initializer_list>

namespace dgkafka {

namespace {
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_stop_signal(int signo) {
    if (!stop_requested.exchange(true)) return;
    static const char message[] = "dgkafka: second signal: rolling back the batch in flight and exiting now\n";
    [[maybe_unused]] const auto written = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(128 + signo);
}
}  // namespace

const std::atomic<bool>& install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int signo : {SIGINT, SIGTERM, SIGHUP}) sigaction(signo, &sa, nullptr);
    return stop_requested;
}

}  // namespace dgkafka
