#include "util/signals.hpp"

#include <unistd.h>

#include <csignal>
#include <initializer_list>

#include "util/log.hpp"

namespace dgkafka {

namespace {
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_stop_signal(int signo) {
    if (!stop_requested.exchange(true)) return;
    char line[256];  // in the -log-format chosen, like every other line
    const size_t n = log::signal_safe_line(
        log::Level::warn, "second signal: rolling back the batch in flight and exiting now", line, sizeof line);
    [[maybe_unused]] const auto written = write(STDERR_FILENO, line, n);
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
