// The systemd watchdog: the interval comes from systemd's environment (sd_watchdog_enabled), and
// WATCHDOG=1 reaches NOTIFY_SOCKET at the first tick and then once per interval.
#include "util/service.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

using dgkafka::service::Watchdog;
using namespace std::chrono;

namespace {

// A datagram socket standing in for systemd's notify socket; unset again at the end.
struct NotifySocket {
    NotifySocket() {
        path = "/tmp/dgkafka-notify-" + std::to_string(getpid());
        unlink(path.c_str());
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        path.copy(sa.sun_path, sizeof sa.sun_path - 1);
        bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        setenv("NOTIFY_SOCKET", path.c_str(), 1);
    }
    ~NotifySocket() {
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        close(fd);
        unlink(path.c_str());
    }
    std::string received() {  // every datagram waiting, joined by '|'
        std::string all;
        char buf[256];
        for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
            all += (all.empty() ? "" : "|") + std::string(buf, static_cast<size_t>(n));
        return all;
    }
    std::string path;
    int fd = -1;
};

}  // namespace

TEST(Watchdog, PingsAtHalfTheIntervalSystemdAsksForAndOnlyForThisProcess) {
    NotifySocket notify;
    setenv("WATCHDOG_USEC", "4000000", 1);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    Watchdog dog;
    EXPECT_EQ(dog.interval(), seconds(2));
    const auto t0 = steady_clock::now();
    EXPECT_TRUE(dog.tick(t0));  // at once: the start may have taken a while
    EXPECT_FALSE(dog.tick(t0 + milliseconds(1999)));
    EXPECT_TRUE(dog.tick(t0 + seconds(2)));
    EXPECT_FALSE(dog.tick(t0 + seconds(3)));
    EXPECT_TRUE(dog.tick(t0 + seconds(5)));  // late: the next one is counted from this one
    EXPECT_FALSE(dog.tick(t0 + seconds(6)));
    EXPECT_EQ(notify.received(), "WATCHDOG=1|WATCHDOG=1|WATCHDOG=1");

    setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);  // meant for another process
    EXPECT_EQ(Watchdog().interval(), microseconds(0));
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    Watchdog off;
    EXPECT_EQ(off.interval(), microseconds(0));
    EXPECT_FALSE(off.tick());
    EXPECT_EQ(notify.received(), "");
}
