// A batch keeps each message's bytes for its reject: a tombstone stays without a value.
#include "load/batch.hpp"

#include <gtest/gtest.h>

using dgkafka::Message;
using dgkafka::load::Batch;

TEST(Batch, ATombstoneKeptIsStillWithoutAValueAndItsRejectValueIsNull) {
    Batch batch("g", "t");
    Message tombstone;
    tombstone.key = "x";
    tombstone.has_key = true;
    tombstone.offset = 7;
    Message empty = tombstone;
    empty.value = std::string_view("", 0);
    empty.offset = 8;
    batch.keep(tombstone);
    batch.keep(empty);
    EXPECT_EQ(batch.message(0).value.data(), nullptr);
    EXPECT_NE(batch.message(1).value.data(), nullptr);
    batch.rejects.add(batch.message(0), "refused", "22P02");
    batch.rejects.add(batch.message(1), "refused", "22P02");
    EXPECT_EQ(batch.rejects.lines(),
              "g\tt\t0\t7\t\\\\x78\t\\N\trefused\t22P02\n"
              "g\tt\t0\t8\t\\\\x78\t\\\\x\trefused\t22P02\n");
}
