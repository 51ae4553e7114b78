#include "util/outage.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "util/log.hpp"

using namespace dgkafka;

namespace {
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}
}  // namespace

TEST(Outage, FourLoadersFailingAgainAndAgainLogOneLineWhenItStartsAndOneWhenItEnds) {
    Outage outage("the database");
    testing::internal::CaptureStderr();
    for (int attempt = 0; attempt < 5; ++attempt)
        for (int loader = 0; loader < 4; ++loader)
            outage.failed(loader, "loader " + std::to_string(loader) + ": refused");
    EXPECT_TRUE(outage.ongoing());
    outage.tick();  // no reminder before its interval
    for (int loader = 0; loader < 3; ++loader) outage.succeeded(loader);
    EXPECT_TRUE(outage.ongoing()) << "loader 3 still fails";
    outage.succeeded(3);
    const auto out = lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_NE(out[0].find("the database is unreachable: loader 0: refused; retrying (attempt 1, 0 s so far)"),
              std::string::npos)
        << out[0];
    EXPECT_NE(out[1].find("the database is reachable again after "), std::string::npos) << out[1];
    EXPECT_NE(out[1].find("(20 failed attempt(s))"), std::string::npos) << out[1];
    EXPECT_FALSE(outage.ongoing());
    EXPECT_EQ(outage.outages(), 1);
}

TEST(Outage, ABrokenSessionsCauseWaitsForTheNextAttemptsWhichNamesTheRealOne) {
    Outage outage("the database");
    testing::internal::CaptureStderr();
    outage.failed(0, "lost the database connection: Could not obtain client encoding", false);
    outage.failed(1, "lost the database connection: Could not obtain client encoding", false);
    outage.failed(0, "cannot connect to the database: Connection refused");
    outage.failed(1, "cannot connect to the database: Connection refused");
    const auto out = lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(out[0].find("unreachable: cannot connect to the database: Connection refused; retrying (attempt 3,"),
              std::string::npos)
        << out[0];
    EXPECT_EQ(out[0].find("client encoding"), std::string::npos) << out[0];
}

TEST(Outage, ASessionBrokenAndRestoredAtOnceIsOneLine) {
    Outage outage("the database");
    testing::internal::CaptureStderr();
    outage.failed(2, "server closed the connection unexpectedly", false);
    outage.succeeded(2);
    const auto out = lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(out[0].find("the database: a session broke (server closed the connection unexpectedly); reconnected"),
              std::string::npos)
        << out[0];
    outage.failed(2, "refused");  // another outage
    EXPECT_EQ(outage.outages(), 2);
}

TEST(Outage, RemindsAtItsIntervalWithTheAttemptsAndTheLatestCause) {
    Outage outage("Kafka", std::chrono::seconds(0));
    testing::internal::CaptureStderr();
    outage.failed(0, "all brokers down");
    outage.failed(0, "still down");
    outage.tick();
    const auto out = lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_NE(out[1].find("Kafka is still unreachable: still down; retrying (attempt 2,"), std::string::npos) << out[1];
}

TEST(Outage, ACauseOverSeveralLinesIsLoggedOnOne) {
    Outage outage("the database");
    testing::internal::CaptureStderr();
    outage.failed(0, "cannot connect: No such file or directory\n\tIs the server running locally?\n");
    const auto out = lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(out[0].find("cannot connect: No such file or directory Is the server running locally?; retrying"),
              std::string::npos)
        << out[0];
}
