// dgkafka publish: the outbox table (ext_write_table) to the topic, each row deleted only once
// Kafka acknowledged it.
#include <gtest/gtest.h>
#include <signal.h>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
std::string q(const std::string& name) { return quoted(name); }

const char* tricky_rows = "(1, 'a|b', ''), (2, NULL, 'say \"hi\"'), (3, 'übergrößen ✓', E'two\\nlines')";

void add_outbox(Job& job) {
    job.columns = {{"id", "integer"}, {"name", "text"}, {"note", "text"}};
    job.input_extra = "ext_write_table = " + toml_string(job.outbox_table()) + "\n";
}
}  // namespace

TEST(Publish, OutboxRowsReachTheTopicAndLoadBackFieldForField) {
    Job job("publish");
    add_outbox(job);
    const auto path = job.write();
    create_topic(job.topic, 2);
    sql("CREATE TABLE " + q(job.table) + " (id integer, name text, note text)");
    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("created: " + job.table + "_outbox"), std::string::npos) << r.out;

    // The spec's positional INSERT still works: "_id" comes last.
    sql("INSERT INTO " + q(job.table + "_outbox") + " VALUES " + tricky_rows);
    r = run("dgkafka", {"publish", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 3 messages to " + job.topic + "\n");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_outbox")), 0);

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    sql("CREATE TABLE " + q(job.table + "_expected") + " (id integer, name text, note text)");
    sql("INSERT INTO " + q(job.table + "_expected") + " VALUES " + tricky_rows);
    EXPECT_EQ(checksum(q(job.table), "id"), checksum(q(job.table + "_expected"), "id"));
}

TEST(Publish, UnacknowledgedRowsStayInTheOutboxAndAreSentNextTime) {
    PrivateBroker broker;
    Job job("publishfail");
    add_outbox(job);
    std::string toml = job.toml();
    toml.replace(toml.find(brokers()), brokers().size(), broker.brokers);
    const auto path = write_file(job.table + "_private.toml", toml);
    broker.control("create " + job.topic + " 1");
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    sql("INSERT INTO " + q(job.table + "_outbox") + " VALUES " + tricky_rows);

    broker.control("fail 0 1000 10");  // every Produce request: MESSAGE_TOO_LARGE, not retriable
    auto r = run("dgkafka", {"publish", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.out << r.err;
    EXPECT_NE(r.err.find("3 message(s) not acknowledged"), std::string::npos) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_outbox")), 3);

    broker.control("clear 0");
    r = run("dgkafka", {"publish", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 3 messages to " + job.topic + "\n");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_outbox")), 0);
}

TEST(Publish, AvroOrAnEnvelopeIsRefusedAsAConfigErrorNamingTheKey) {
    Job job("publishavro");
    job.format = "avro";
    job.input_extra = "ext_write_table = " + toml_string(job.table + "_outbox") +
                      "\nschema_registry = " + toml_string(sandbox().at("SCHEMA_REGISTRY_URL")) + "\n";
    auto path = job.write();
    auto r = run("dgkafka", {"publish", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find(path + ": kafka.input.format = \"avro\": publish cannot encode"), std::string::npos) << r.err;

    job.format = "json";
    job.input_extra = "ext_write_table = " + toml_string(job.table + "_outbox") + "\nenvelope = \"debezium\"\n";
    std::string toml = job.toml();
    toml.replace(toml.find("[kafka.output]\n"), 15, "[kafka.output]\nmode = \"merge\"\nmatch_columns = [\"id\"]\n");
    path = write_file(job.table + "_dbz.toml", toml);
    r = run("dgkafka", {"publish", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find(path + ": kafka.input.envelope = \"debezium\": publish cannot encode"), std::string::npos)
        << r.err;
}

// One publisher per outbox: a second `publish` says who holds the outbox and exits 4.
TEST(Publish, ASecondPublisherOfTheSameOutboxIsRefused) {
    const auto job = Job::outbox("twopub");
    const auto path = prepare_outbox(job);
    const auto outbox = dgtest::quoted(job.outbox_table());
    sql("INSERT INTO " + outbox + " SELECT generate_series(1, 100)");

    auto first = spawn("dgkafka", {"publish", path});  // streaming: holds the outbox until stopped
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) FROM " + outbox) == 0; }, std::chrono::seconds(60)));
    auto r = run("dgkafka", {"publish", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.out << r.err;
    EXPECT_NE(r.err.find("another dgkafka publish is sending " + job.table + "_outbox: database session "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("\"dgkafka publish\""), std::string::npos) << r.err;

    sql("INSERT INTO " + outbox + " SELECT generate_series(101, 150)");
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) FROM " + outbox) == 0; }, std::chrono::seconds(60)));
    kill(first.pid, SIGTERM);
    const auto stopped = first.wait();
    EXPECT_EQ(stopped.code, 0) << stopped.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 150) << "every row sent once";

    sql("INSERT INTO " + outbox + " VALUES (151)");  // the lock went with the first publisher's session
    r = run("dgkafka", {"publish", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 1 messages to " + job.topic + "\n");
}
