// Who wrote the group's offset in Kafka, and what a load does with it.
#include "load/source/group_start.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;
using namespace dgkafka::load;
using Kind = GroupOffsetKind;

namespace {
std::optional<kafka::GroupOffset> kafka_at(int64_t offset, const std::string& metadata = "") {
    return kafka::GroupOffset{offset, metadata};
}
std::optional<db::StoredStart> db_at(int64_t committed, std::optional<int64_t> taken = std::nullopt) {
    return db::StoredStart{committed, taken};
}
const std::string ours = kafka::commit_mark("customer");
}  // namespace

TEST(GroupStart, MarksNameTheOutputTable) {
    EXPECT_EQ(ours, "dgkafka output_table=customer");
    EXPECT_EQ(kafka::marked_table(ours), "customer");
    EXPECT_EQ(kafka::marked_table(""), std::nullopt);
    EXPECT_EQ(kafka::marked_table("dgkafka"), std::nullopt);
}

TEST(GroupStart, EveryCaseOfKafkaBesideTheDatabase) {
    EXPECT_EQ(classify(std::nullopt, std::nullopt, "customer"), Kind::none);
    EXPECT_EQ(classify(std::nullopt, db_at(5), "customer"), Kind::none);
    // Another tool's offset: a start without a row, a reset when it differs, once.
    EXPECT_EQ(classify(kafka_at(7), std::nullopt, "customer"), Kind::start);
    EXPECT_EQ(classify(kafka_at(7), db_at(7), "customer"), Kind::none);
    EXPECT_EQ(classify(kafka_at(3), db_at(10), "customer"), Kind::reset);
    EXPECT_EQ(classify(kafka_at(3), db_at(10, 3), "customer"), Kind::taken);
    // dgkafka's own: never moves the database, never starts another table's job.
    EXPECT_EQ(classify(kafka_at(3, ours), db_at(10), "customer"), Kind::mirror);
    EXPECT_EQ(classify(kafka_at(10, ours), db_at(10), "customer"), Kind::none);
    EXPECT_EQ(classify(kafka_at(3, ours), std::nullopt, "customer"), Kind::mirror_without_row);
    EXPECT_EQ(classify(kafka_at(3, ours), std::nullopt, "orders"), Kind::other_table);
    EXPECT_EQ(classify(kafka_at(3, ours), db_at(10), "orders"), Kind::other_table);
    EXPECT_NE(explain(Kind::other_table, *kafka_at(3, ours)).find("output table customer"), std::string::npos);
    EXPECT_EQ(explain(Kind::none, *kafka_at(3)), "");
}

TEST(GroupStart, TheMirrorsNoteSaysWhetherItIsBehindOrAheadAndByHowMuch) {
    EXPECT_EQ(explain(Kind::mirror, *kafka_at(3, ours), db_at(10)),
              "dgkafka's mirror, 7 behind the database (mirrored after each batch; the database holds the truth)");
    // Read after the database, on a running job the mirror may be ahead of what was read.
    EXPECT_EQ(explain(Kind::mirror, *kafka_at(12, ours), db_at(10)),
              "dgkafka's mirror, 2 ahead of the database as read a moment before (batches committed since, or a "
              "reset; the database holds the truth)");
}
