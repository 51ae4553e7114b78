// kafka.input.topics and topic_pattern: one job, many topics, each into the table output_table
// names from the topic; offsets, summary and check per topic; a topic created while streaming
// joins the load.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {

// A job over every topic "<prefix>.public.<table>", each into the table "<prefix>_<table>".
struct ManyTopics {
    Job job;
    std::string prefix, path;

    explicit ManyTopics(const std::string& name, const std::string& input = "",
                        const std::function<void(Job&)>& adjust = {})
        : job(name), prefix(job.table) {
        job.columns = {{"id", "integer"}, {"name", "text"}};
        if (adjust) adjust(job);
        std::string t = job.toml();
        const auto topic_line = t.find("topic = ");
        t.replace(topic_line, t.find('\n', topic_line) - topic_line,
                  "topic_pattern = " + toml_string(prefix + "\\.public\\..*") + "\n" + input);
        const auto out_line = t.find("output_table = ");
        t.replace(out_line, t.find('\n', out_line) - out_line, "output_table = \"${topic[0]}_${topic[-1]}\"");
        path = write_file(job.table + ".toml", t);
    }
    std::string topic(const std::string& table) const { return prefix + ".public." + table; }
    std::string table(const std::string& name) const { return dgtest::quoted(prefix + "_" + name); }
    void add(const std::string& name, int partitions) const {
        create_topic(topic(name), partitions);
        sql("CREATE TABLE " + table(name) + " (id integer, name text)");
    }
    int64_t stored(const std::string& name) const {
        return sql_count("SELECT coalesce(sum(committed_offset), 0) FROM " + dgtest::quoted(job.table + "_offset") +
                         " WHERE topic = '" + topic(name) + "'");
    }
};

std::vector<Record> rows(int n, int partitions) {
    std::vector<Record> out;
    for (int i = 1; i <= n; ++i)
        out.push_back({std::to_string(i) + "|n" + std::to_string(i), std::nullopt, i % partitions});
    return out;
}

}  // namespace

TEST(ManyTopics, EachTopicLoadsIntoTheTableItsNameGives) {
    ManyTopics many("mtopics");
    many.add("orders", 2);
    many.add("items", 3);
    create_topic(many.prefix + ".private.secrets", 1);  // not matched
    produce(many.topic("orders"), rows(40, 2));
    produce(many.topic("items"), rows(30, 3));
    produce(many.prefix + ".private.secrets", rows(5, 1));
    const auto s = run("dgkafka", {"setup", many.path});
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_NE(s.out.find("output tables are named from each topic"), std::string::npos) << s.out;

    const auto r = run("dgkafka", {"load", "-quit-at-eof", many.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + many.table("orders")), 40);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table("orders")), 40);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table("items")), 30);
    EXPECT_EQ(many.stored("orders"), 40);
    EXPECT_EQ(many.stored("items"), 30);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(many.job.table + "_offset") +
                        " WHERE topic LIKE '%secrets'"),
              0);
    EXPECT_NE(r.out.find(many.topic("orders") + ": LOAD 40 rows from 40 messages"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(many.topic("items") + ": LOAD 30 rows from 30 messages"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nLOAD 70 rows from 70 messages of 2 topics, 0 rejected, "), std::string::npos) << r.out;

    // Again: nothing new, nothing twice.
    produce(many.topic("items"), rows(3, 3));
    const auto again = run("dgkafka", {"load", "-quit-at-eof", many.path});
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table("orders")), 40);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table("items")), 33);

    const auto c = run("dgkafka", {"check", many.path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("Topic = " + many.topic("orders")), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("Topic = " + many.topic("items")), std::string::npos) << c.out;
}

TEST(ManyTopics, ATopicCreatedWhileStreamingIsLoaded) {
    ManyTopics many("mtnew");
    many.add("orders", 1);
    produce(many.topic("orders"), rows(10, 1));
    ASSERT_EQ(run("dgkafka", {"setup", many.path}).code, 0);
    auto load = spawn("dgkafka", {"load", many.path});
    ASSERT_TRUE(wait_until([&] { return many.stored("orders") == 10; }, std::chrono::seconds(60)));
    many.add("refunds", 2);
    produce(many.topic("refunds"), rows(12, 2));
    ASSERT_TRUE(wait_until([&] { return many.stored("refunds") == 12; }, std::chrono::seconds(60)))
        << "the new topic was not picked up";
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + many.table("refunds")), 12);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table("refunds")), 12);
    EXPECT_NE(r.out.find(many.topic("refunds") + ": LOAD 12 rows"), std::string::npos) << r.out;
}

TEST(ManyTopics, AListedTopicThatDoesNotExistStopsTheLoad) {
    Job job("mtlist");
    job.columns = {{"id", "integer"}, {"name", "text"}};
    create_topic(job.topic, 1);
    std::string t = job.toml();
    const auto at = t.find("topic = ");
    t.replace(at, t.find('\n', at) - at, "topics = [" + toml_string(job.topic) + ", \"mtlist_no_such_topic\"]");
    const auto path = write_file(job.table + ".toml", t);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::no_topic)) << r.err;
    EXPECT_NE(r.err.find("kafka.input.topics: topic mtlist_no_such_topic does not exist"), std::string::npos) << r.err;
}

// Debezium's one topic per source table, replayed into the tables the topics name, with deletes.
TEST(ManyTopics, DebeziumTopicsOfASourceDatabaseReplayIntoTheirTables) {
    Job job("mtcdc");
    job.format = "json";
    const std::string prefix = job.table;
    std::string t = job.toml();
    const auto at = t.find("topic = ");
    t.replace(at, t.find('\n', at) - at,
              "topic_pattern = " + toml_string(prefix + "\\.inventory\\..*") + "\nenvelope = \"debezium\"");
    const auto out = t.find("output_table = ");
    t.replace(out, t.find('\n', out) - out,
              "output_table = \"${topic[0]}_${topic[2]}\"\nmode = \"merge\"\nmatch_columns = [\"id\"]");
    const auto path = write_file(job.table + ".toml", t);
    const auto event = [](const std::string& op, int id, const std::string& name) {
        const std::string row = R"({"id": )" + std::to_string(id) + R"(, "name": ")" + name + "\"}";
        const std::string before = op == "c" ? "null" : row, after = op == "d" ? "null" : row;
        return Record{R"({"before": )" + before + R"(, "after": )" + after + R"(, "op": ")" + op + "\"}",
                      R"({"id": )" + std::to_string(id) + "}", 0};
    };
    for (const std::string table : {"customers", "orders", "products"}) {
        create_topic(prefix + ".inventory." + table, 1);
        sql("CREATE TABLE " + dgtest::quoted(prefix + "_" + table) + " (id integer PRIMARY KEY, name text)");
        produce(prefix + ".inventory." + table,
                {event("c", 1, table + "1"), event("c", 2, table + "2"), event("u", 2, table + "2b"),
                 event("c", 3, table + "3"), event("d", 1, table + "1")});
    }
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    for (const std::string table : {"customers", "orders", "products"})
        EXPECT_EQ(sql_value("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM " +
                            dgtest::quoted(prefix + "_" + table)),
                  "2:" + table + "2b,3:" + table + "3");
}

// Two processes of one job in group mode over the same topics: Kafka spreads every topic's
// partitions over both; one SIGKILLed mid-load, its partitions move to the other (a rebalance
// across topics), more messages meanwhile; every message lands once in its topic's table.
TEST(ManyTopics, GroupLoadersShareTheTopicsAndOneKilledLosesNothing) {
    const ManyTopics many("mtgroup", "assignment = \"group\"\n", [](Job& job) {
        job.max_row = 200;
        job.extra = "[kafka.properties]\n\"session.timeout.ms\" = 6000\n\"heartbeat.interval.ms\" = 500\n";
    });
    for (const std::string name : {"a", "b"}) {
        many.add(name, 4);
        produce(many.topic(name), rows(4000, 4));
    }
    const auto& path = many.path;
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto loaded = [&] { return many.stored("a") + many.stored("b"); };

    auto first = spawn("dgkafka", {"load", "-loaders", "2", path});
    auto second = spawn("dgkafka", {"load", "-loaders", "2", path});
    ASSERT_TRUE(wait_until([&] { return loaded() >= 1000; }, std::chrono::seconds(120)));
    kill(second.pid, SIGKILL);
    EXPECT_EQ(second.wait().code, 128 + SIGKILL);
    for (const std::string name : {"a", "b"}) {
        std::vector<Record> more;
        for (int i = 4001; i <= 5000; ++i) more.push_back({std::to_string(i) + "|m", std::nullopt, i % 4});
        produce(many.topic(name), more);
    }
    EXPECT_TRUE(wait_until([&] { return loaded() == 10000; }, std::chrono::seconds(180))) << loaded();
    kill(first.pid, SIGTERM);
    const auto r = first.wait();
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    for (const std::string name : {"a", "b"}) {
        EXPECT_EQ(sql_count("SELECT count(*) FROM " + many.table(name)), 5000) << name;
        EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + many.table(name)), 5000) << name;
    }
}

// A topic whose name makes no table name stops the job with exit 3 naming the topic, at start as
// when it appears while streaming; never a crash.
TEST(ManyTopics, ATopicWhoseTableCannotBeNamedStopsTheJobNamingIt) {
    ManyTopics many("mtname");
    many.add("orders", 1);
    produce(many.topic("orders"), rows(5, 1));
    ASSERT_EQ(run("dgkafka", {"setup", many.path}).code, 0);
    const std::string long_topic = many.topic(std::string(64, 'x'));

    auto streaming = spawn("dgkafka", {"load", many.path});
    ASSERT_TRUE(wait_until([&] { return many.stored("orders") == 5; }, std::chrono::seconds(60)));
    create_topic(long_topic, 1);
    auto r = streaming.wait(std::chrono::seconds(60));
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find("for topic " + long_topic + ", output_table \"${topic[0]}_${topic[-1]}\" makes no table name"),
              std::string::npos)
        << r.err;

    r = run("dgkafka", {"load", "-quit-at-eof", many.path});  // at start
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find("for topic " + long_topic), std::string::npos) << r.err;
}

// check reports the topics the database holds offsets for too: one Kafka no longer has is an
// error (exit 8) after every other topic's report.
TEST(ManyTopics, CheckReportsAStoredTopicKafkaNoLongerHas) {
    ManyTopics many("mtgone");
    many.add("orders", 1);
    produce(many.topic("orders"), rows(5, 1));
    ASSERT_EQ(run("dgkafka", {"setup", many.path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", many.path}).code, 0);
    // As a topic deleted since its last load leaves its offsets behind.
    sql("INSERT INTO " + dgtest::quoted(many.job.table + "_offset") +
        " (consumer_group, topic, output_table, partition_number, committed_offset) VALUES ('" + many.job.group +
        "', '" + many.topic("gone") + "', '" + many.prefix + "_gone', 0, 500)");
    const auto c = run("dgkafka", {"check", many.path});
    EXPECT_EQ(c.code, static_cast<int>(Exit::no_topic)) << c.err;
    EXPECT_NE(c.out.find("Topic = " + many.topic("orders")), std::string::npos) << c.out;
    EXPECT_NE(c.err.find(many.topic("gone")), std::string::npos) << c.err;
}
