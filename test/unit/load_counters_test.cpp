#include <gtest/gtest.h>

#include "load/counters.hpp"

using namespace dgkafka;
using namespace dgkafka::load;

TEST(LoadCounters, LagFollowsTheEndOffsetsAskedWhileNothingCommitsAndTheStallGrows) {
    LoadCounters c;
    c.stored({{0, 100}});  // read from the database at start
    EXPECT_EQ(c.partitions().at(0).lag(), -1) << "end not known yet";
    c.ends({{0, 100}, {7, 50}});
    EXPECT_EQ(c.partitions().at(0).lag(), 0);
    EXPECT_EQ(c.partitions().count(7), 0u) << "a partition this process does not hold";
    const auto now = PartitionProgress::Clock::now();
    EXPECT_EQ(c.partitions().at(0).stalled_seconds(now + std::chrono::seconds(60)), 0) << "caught up: no stall";

    c.ends({{0, 150}});  // messages arrive; nothing commits (the database is down)
    const auto p = c.partitions().at(0);
    EXPECT_EQ(p.lag(), 50);
    EXPECT_NEAR(p.stalled_seconds(PartitionProgress::Clock::now() + std::chrono::seconds(10)), 10, 1)
        << "counted from when it fell behind, not from the last commit";

    db::PartitionRange r;
    r.partition = 0, r.start = 100, r.end = 150, r.count = 50, r.latest = 150;
    c.committed({{0, r}}, 0.1);
    EXPECT_EQ(c.partitions().at(0).lag(), 0);
    EXPECT_EQ(c.partitions().at(0).stored, 150);
    EXPECT_EQ(c.partitions().at(0).stalled_seconds(PartitionProgress::Clock::now()), 0);
}
