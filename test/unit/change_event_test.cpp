// Debezium events that change no row: a truncate is refused (so it shows in the rejects table),
// a logical decoding message is skipped.
#include "formats/change_event.hpp"

#include <gtest/gtest.h>

using namespace dgkafka::change;

TEST(ChangeEvent, ATruncateIsRefusedNotSkippedSilently) {
    Event e;
    std::string reason;
    EXPECT_FALSE(read_debezium(R"({"op":"t","before":null,"after":null})", "", e, reason));
    EXPECT_NE(reason.find("truncate"), std::string::npos) << reason;
    EXPECT_TRUE(read_debezium(R"({"op":"m","message":{"prefix":"x"}})", "", e, reason)) << reason;
    EXPECT_EQ(e.op, Op::skip);
}
