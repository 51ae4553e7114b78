// dgkafka publish: the outbox table (ext_write_table) to the topic, each row deleted only once
// Kafka acknowledged it.
#include <gtest/gtest.h>

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
    job.input_extra = "ext_write_table = " + toml_string(job.table + "_outbox") + "\nschema_registry = " +
                      toml_string(sandbox().at("SCHEMA_REGISTRY_URL")) + "\n";
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
    EXPECT_NE(r.err.find(path + ": kafka.input.envelope = \"debezium\": publish cannot encode"), std::string::npos) << r.err;
}
