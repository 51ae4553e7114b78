#include "util/retry.hpp"

#include <gtest/gtest.h>

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

TEST(RetryPolicy, TheStopFlagEndsTheWait) {
    std::atomic<bool> stop{true};
    try {
        RetryPolicy::for_run(false, 0, stop).run([&] { throw Unavailable(Exit::database, "down"); });
        FAIL();
    } catch (const Unavailable& e) {
        EXPECT_NE(std::string(e.what()).find("stopped by signal"), std::string::npos) << e.what();
    }
}
