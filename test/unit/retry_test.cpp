#include "util/retry.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace dgkafka;

TEST(RetryPolicy, RetriesWhatIsUnavailableUntilItSucceeds) {
    std::atomic<bool> stop{false};
    int tries = 0;
    const int got = RetryPolicy::for_run(false, 0, stop).run([&] {
        if (++tries < 3) throw Unavailable(Exit::database, "down");
        return 42;
    });
    EXPECT_EQ(got, 42);
    EXPECT_EQ(tries, 3);
}

TEST(RetryPolicy, AnyOtherErrorEndsAtOnce) {
    std::atomic<bool> stop{false};
    int tries = 0;
    EXPECT_THROW(RetryPolicy::for_run(false, 0, stop).run([&] {
        ++tries;
        throw Error(Exit::database, "password authentication failed");
    }),
                 Error);
    EXPECT_EQ(tries, 1);
}

TEST(RetryPolicy, ABoundedRunGivesUpAfterItsDeadlineSayingSo) {
    std::atomic<bool> stop{false};
    int tries = 0;
    try {
        RetryPolicy::for_run(true, 0.3, stop).run([&] {
            ++tries;
            throw Unavailable(Exit::kafka, "brokers down");
        });
        FAIL();
    } catch (const Unavailable& e) {
        EXPECT_EQ(e.code(), Exit::kafka);
        EXPECT_NE(std::string(e.what()).find("gave up after"), std::string::npos) << e.what();
    }
    EXPECT_GE(tries, 2);
}

TEST(RetryPolicy, TheStopFlagEndsTheWaitAsACleanEnd) {
    std::atomic<bool> stop{true};
    try {
        RetryPolicy::for_run(false, 0, stop).run([&] { throw Unavailable(Exit::database, "down"); });
        FAIL();
    } catch (const Stopped& e) {  // nothing was in flight: like a signal anywhere else, exit 0
        EXPECT_EQ(e.code(), Exit::ok);
        EXPECT_NE(std::string(e.what()).find("stopped by signal while waiting (down)"), std::string::npos) << e.what();
    }
}

// retry_timeout = 3 gave up "after 5 s": the last backoff step ran past the deadline.
TEST(RetryPolicy, ABoundedRunGivesUpAtItsDeadlineNotABackoffStepPastItAndNamesTheSetting) {
    std::atomic<bool> stop{false};
    const double limit = 2.0;
    const auto started = std::chrono::steady_clock::now();
    try {
        RetryPolicy::for_run(true, limit, stop).run([&] { throw Unavailable(Exit::database, "database down"); });
        FAIL();
    } catch (const Unavailable& e) {
        EXPECT_NE(std::string(e.what()).find("(kafka.commit.retry_timeout = 2 s): database down"), std::string::npos)
            << e.what();
    }
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_GE(took, limit);
    EXPECT_LT(took, limit + 0.4) << "the doubling backoff (1.6 s, then 3.2 s) overshot the deadline";
}

TEST(Backoff, TheLastWaitEndsAtTheDeadline) {
    std::atomic<bool> stop{false};
    Backoff backoff(2.0);
    const auto started = std::chrono::steady_clock::now();
    while (backoff.wait(stop)) {
    }
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_GE(took, 2.0);
    EXPECT_LT(took, 2.4);
}
