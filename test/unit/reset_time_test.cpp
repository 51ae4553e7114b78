#include "load/reset_time.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;
using namespace dgkafka::load;

TEST(ResetTime, EpochMillisecondsOrAnIsoTimeWithItsZoneOrUtcSaid) {
    EXPECT_EQ(std::get<int64_t>(read_reset_time("1700000000000")), 1700000000000);
    const auto zoned = std::get<ResetTimeText>(read_reset_time("2024-02-29T13:00:00+01:00"));
    EXPECT_EQ(zoned.text, "2024-02-29T13:00:00+01:00");
    EXPECT_FALSE(zoned.utc_assumed);
    EXPECT_FALSE(std::get<ResetTimeText>(read_reset_time("2024-02-29T13:00:00Z")).utc_assumed);
    EXPECT_FALSE(std::get<ResetTimeText>(read_reset_time("2024-02-29 13:00-05")).utc_assumed);
    const auto bare = std::get<ResetTimeText>(read_reset_time("2024-02-29 13:00:00.5"));
    EXPECT_EQ(bare.text, "2024-02-29 13:00:00.5 UTC");
    EXPECT_TRUE(bare.utc_assumed);
    EXPECT_EQ(std::get<ResetTimeText>(read_reset_time("2024-02-29")).text, "2024-02-29 UTC");
}

TEST(ResetTime, WordsRelativeToNowAndEmptyInputAreRefused) {
    for (const char* t : {"now", "yesterday", "today", "tomorrow", "epoch", "infinity", "2024-02-29 yesterday",
                          "29.02.2024", "2024-02-29X13:00", "99999999999999999999"})
        EXPECT_TRUE(std::holds_alternative<ResetTimeError>(read_reset_time(t))) << t;
    EXPECT_EQ(std::get<ResetTimeError>(read_reset_time("")).why.rfind("empty", 0), 0u);
}
