// Moving a Deepgreen job over: the resume key holds the output table, offset tables of the
// previous shape are brought forward, and the consumer group's offsets in Kafka written by
// another tool (the previous loader, an operator's reset) are taken once.
#include <gtest/gtest.h>

#include <algorithm>

#include "kafka/group_offsets.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
std::string q(const std::string& name) { return quoted(name); }

// A job of one integer column over a topic of `partitions` partitions holding ids 1..n.
std::string id_job(Job& job, int partitions, int n) {
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    create_topic(job.topic, partitions);
    std::vector<Record> records;
    for (int i = 1; i <= n; ++i) records.push_back({std::to_string(i), std::nullopt, (i - 1) % partitions});
    produce(job.topic, records);
    const auto path = job.write();
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, 0) << r.err;
    return path;
}

// The same job loading into another output table (everything else equal: topic, group, tables).
std::string other_output(const Job& job, const std::string& other) {
    std::string toml = job.toml();
    const std::string from = "output_table = " + toml_string(job.table);
    toml.replace(toml.find(from), from.size(), "output_table = " + toml_string(other));
    sql("CREATE TABLE " + q(other) + " (id integer)");
    return write_file(other + ".toml", toml);
}

// Commits offsets for the group as another client would; with metadata when given.
void commit_as_other_tool(const Job& job, const std::string& offsets, const std::string& metadata = "") {
    std::vector<std::string> args = {std::string(DGKAFKA_SOURCE_DIR) + "/test/support/commit_offsets.py", brokers(),
                                     job.group, job.topic, offsets};
    if (!metadata.empty()) args.push_back(metadata);
    const auto r = run("/usr/bin/python3", args);
    ASSERT_EQ(r.code, 0) << r.err;
}

std::string stored(const Job& job, const std::string& output_table) {
    return sql_value(
        "SELECT string_agg(partition_number || ':' || committed_offset, ',' ORDER BY partition_number) "
        "FROM " +
        q(job.table + "_offset") + " WHERE output_table = '" + output_table + "'");
}

std::string events(const Job& job) {
    return sql_value(
        "SELECT string_agg(event || ' ' || partition_number || ' ' || start_offset || '..' || end_offset, "
        "', ' ORDER BY id) FROM " +
        q(job.table + "_history") + " WHERE event <> 'load'");
}

int64_t rows(const std::string& table) { return sql_count("SELECT count(*) FROM " + q(table)); }
}  // namespace

TEST(Migration, SetupBringsAnOffsetTableOfThePreviousShapeForwardAndTheLoadResumes) {
    Job job("upgrade");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (int i = 1; i <= 10; ++i) records.push_back({std::to_string(i), std::nullopt, 0});
    produce(job.topic, records);
    // The shape dgkafka created before the resume key held the output table, with 6 loaded.
    sql("CREATE TABLE " + q(job.table + "_offset") +
        " (consumer_group text NOT NULL, topic text NOT NULL, partition_number integer NOT NULL,"
        " committed_offset bigint NOT NULL, latest_offset bigint, batch_start timestamptz, batch_end timestamptz,"
        " PRIMARY KEY (consumer_group, topic, partition_number))");
    sql("CREATE TABLE " + q(job.table + "_history") +
        " (id bigserial PRIMARY KEY, consumer_group text NOT NULL, topic text NOT NULL, partition_number integer NOT "
        "NULL,"
        " event text NOT NULL, start_offset bigint NOT NULL, end_offset bigint NOT NULL, message_count bigint NOT NULL,"
        " latest_offset bigint, batch_start timestamptz NOT NULL, batch_end timestamptz NOT NULL)");
    sql("INSERT INTO " + q(job.table + "_offset") + " VALUES ('" + job.group + "', '" + job.topic +
        "', 0, 6, 10, now(), now())");
    sql("INSERT INTO " + q(job.table + "_history") +
        " (consumer_group, topic, partition_number, event, start_offset,"
        " end_offset, message_count, batch_start, batch_end) VALUES ('" +
        job.group + "', '" + job.topic + "', 0, 'load', 0, 6, 6, now(), now())");
    const auto path = job.write();

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::not_set_up)) << r.err;
    EXPECT_NE(r.err.find("earlier shape"), std::string::npos) << r.err;
    r = run("dgkafka", {"check", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::not_set_up)) << r.err;
    EXPECT_NE(r.err.find("earlier shape"), std::string::npos) << r.err;

    r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("upgraded: " + job.table + "_offset"), std::string::npos) << r.out;
    EXPECT_EQ(stored(job, job.table), "0:6");
    EXPECT_EQ(sql_value("SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a"
                        " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND"
                        " i.indrelid = '" +
                        q(job.table + "_offset") + "'::regclass"),
              "consumer_group,output_table,partition_number,topic");
    EXPECT_EQ(
        sql_count("SELECT count(*) FROM " + q(job.table + "_history") + " WHERE output_table = '" + job.table + "'"),
        1);

    r = run("dgkafka", {"setup", path});  // idempotent
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.find("upgraded:"), std::string::npos) << r.out;

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "7,8,9,10");
    EXPECT_EQ(stored(job, job.table), "0:10");
}

TEST(Migration, TwoConfigsDifferingOnlyInOutputTableEachLoadEverything) {
    Job job("twotables");
    const auto path = id_job(job, 2, 40);
    const std::string other = job.table + "_b";
    const auto other_path = other_output(job, other);
    auto r = run("dgkafka", {"setup", other_path});
    ASSERT_EQ(r.code, 0) << r.err;

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run("dgkafka", {"load", "-quit-at-eof", other_path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 40);
    EXPECT_EQ(rows(other), 40);
    EXPECT_EQ(stored(job, job.table), "0:20,1:20");
    EXPECT_EQ(stored(job, other), "0:20,1:20");
    // Kafka's offsets, mirrored for the first table, did not start the second one anywhere but at the start.
    EXPECT_EQ(sql_value("SELECT string_agg(DISTINCT event, ',') FROM " + q(job.table + "_history") +
                        " WHERE output_table = '" + other + "' AND event <> 'load'"),
              "start-earliest");

    r = run("dgkafka", {"load", "-quit-at-eof", path});  // each resumes from its own offsets
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 40);
}

TEST(Migration, DgkafkaMarksItsCommitsToTheGroupWithTheOutputTable) {
    Job job("marked");
    const auto path = id_job(job, 2, 10);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    // The mock cluster keeps a commit's metadata (OffsetCommit → OffsetFetch).
    const auto group = dgkafka::kafka::group_offsets(brokers(), {}, job.group, job.topic, 2);
    ASSERT_EQ(group.size(), 2u);
    for (const auto& [p, g] : group) {
        EXPECT_EQ(g.offset, 5) << p;
        EXPECT_EQ(g.metadata, "dgkafka output_table=" + job.table) << p;
    }
}

TEST(Migration, GroupAssignmentMarksTheMembersCommitsToo) {
    Job job("markedgroup");
    job.input_extra = "assignment = \"group\"\n";
    const auto path = id_job(job, 2, 10);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(rows(job.table), 10);
    // A member's commits are asynchronous and best effort at exit: every one that landed is marked.
    const auto group = dgkafka::kafka::group_offsets(brokers(), {}, job.group, job.topic, 2);
    ASSERT_FALSE(group.empty());
    for (const auto& [p, g] : group) EXPECT_EQ(g.metadata, "dgkafka output_table=" + job.table) << p;
}

TEST(Migration, APartitionWithoutARowStartsAtTheOffsetAnotherToolCommitted) {
    Job job("fromgroup");
    const auto path = id_job(job, 2, 20);
    commit_as_other_tool(job, "0:4,1:7");  // where the previous loader stopped

    auto c = run("dgkafka", {"check", path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("written by another tool: the next load starts here"), std::string::npos) << c.out;

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 6 + 3);  // partition 0 holds 1,3,..,19 (offsets 0..9), partition 1 2,4,..,20
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)),
              "9,11,13,15,16,17,18,19,20");
    EXPECT_EQ(events(job), "start-group-offset 0 4..4, start-group-offset 1 7..7");
    EXPECT_EQ(stored(job, job.table), "0:10,1:10");

    r = run("dgkafka", {"load", "-quit-at-eof", path});  // taken once: nothing again
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 9);
    c = run("dgkafka", {"check", path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_EQ(c.out.find("another tool"), std::string::npos) << c.out;
}

TEST(Migration, AnOperatorsResetInKafkaIsTakenOnceRecordedAndWarnedAbout) {
    Job job("opreset");
    const auto path = id_job(job, 1, 10);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(rows(job.table), 10);

    commit_as_other_tool(job, "0:7");  // kafka-consumer-groups.sh --reset-offsets --to-offset 7
    auto c = run("dgkafka", {"check", path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("reset by another tool"), std::string::npos) << c.out;

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("was reset in Kafka to offset 7"), std::string::npos) << r.err;
    EXPECT_EQ(rows(job.table), 13);
    EXPECT_EQ(events(job), "start-earliest 0 0..0, reset-group-offset 0 10..7");

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 13);
    EXPECT_EQ(r.err.find("was reset"), std::string::npos) << r.err;
}

TEST(Migration, AnOffsetDgkafkaMirroredNeverOverridesTheDatabase) {
    Job job("mirrored");
    const auto path = id_job(job, 1, 10);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    // A mirror behind the database (as after a crash before the asynchronous commit).
    commit_as_other_tool(job, "0:3", "dgkafka output_table=" + job.table);
    auto c = run("dgkafka", {"check", path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("dgkafka's mirror, 7 behind the database"), std::string::npos) << c.out;

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table), 10);
    EXPECT_EQ(events(job), "start-earliest 0 0..0");

    // Nor does it start a job for another output table.
    commit_as_other_tool(job, "0:3", "dgkafka output_table=" + job.table);
    const std::string other = job.table + "_b";
    const auto other_path = other_output(job, other);
    ASSERT_EQ(run("dgkafka", {"setup", other_path}).code, 0);
    c = run("dgkafka", {"check", other_path});
    EXPECT_NE(c.out.find("written by dgkafka for output table " + job.table), std::string::npos) << c.out;
    r = run("dgkafka", {"load", "-quit-at-eof", other_path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(other), 10);
}

TEST(Migration, SetupSaysHowAnExistingTableDiffersInsteadOfExists) {
    Job job("shape");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    // Keyed without the output table, and an offset of the wrong type: load would fail with 42P10.
    sql("CREATE TABLE " + q(job.table + "_offset") +
        " (consumer_group text NOT NULL, topic text NOT NULL, output_table text NOT NULL, partition_number integer NOT "
        "NULL,"
        " committed_offset integer NOT NULL, latest_offset bigint, batch_start timestamptz, batch_end timestamptz,"
        " group_offset bigint, PRIMARY KEY (consumer_group, topic, partition_number))");
    const auto path = job.write();
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.out;
    EXPECT_NE(r.out.find("differs: " + job.table + "_offset"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("column \"committed_offset\" is integer, not bigint"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("primary key (consumer_group, partition_number, topic) instead of "
                         "(consumer_group, output_table, partition_number, topic)"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out.find("exists:  " + job.table + "_offset"), std::string::npos) << r.out;
}

TEST(Migration, AMultiCharacterDelimiterLoads) {
    Job job("multidelim");
    job.delimiter = "|~|";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    sql("CREATE TABLE " + q(job.table) + " (id integer, name text)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1|~|a|b"}, {"2|~|\"x|~|y\""}, {"3|~|"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || '=' || coalesce(name, 'NULL'), ',' ORDER BY id) FROM " + q(job.table)),
              "1=a|b,2=x|~|y,3=NULL");

    // csv2kafka writes it too (-w), re-delimiting a file's records.
    const auto file = write_file(job.table + ".csv", "4,\"p|~|q\"\n5,e\n");
    auto c = run("csv2kafka", {"-d", ",", "-w", "|~|", brokers(), job.topic, file});
    ASSERT_EQ(c.code, 0) << c.err;
    c = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM " + q(job.table) + " WHERE id > 3"),
              "4=p|~|q,5=e");
}

TEST(Migration, TheManualsMappingIntoAnIntegerColumnLoadsCastToTheColumnsType) {
    Job job("castmap");
    job.format = "json";
    job.columns = {{"jdata", "json"}};
    job.mappings = {{"cust_id", "(jdata->>'customer_id')"}, {"code", "jdata->>'code'"}, {"amount", "jdata->>'amount'"}};
    sql("CREATE TABLE " + q(job.table) + " (cust_id integer, code varchar(3), amount numeric(7,2))");
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"customer_id": 1313131, "code": "abc", "amount": 2.345})"},
                        {R"({"customer_id": 77, "code": "toolong", "amount": 1})"},
                        {R"({"customer_id": "x", "code": "a", "amount": 1})"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", "-v", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("JSON members read by dgkafka"), std::string::npos) << r.err;  // the pushdown still applies
    EXPECT_EQ(sql_value("SELECT string_agg(cust_id || ':' || code || ':' || amount, ',') FROM " + q(job.table)),
              "1313131:abc:2.35");
    // The column's length still applies (varchar(3) is not truncated to fit); bad values are rejected.
    EXPECT_EQ(sql_value("SELECT string_agg(\"offset\" || ':' || sqlstate, ',' ORDER BY \"offset\") FROM " +
                        q(job.table + "_rejects")),
              "1:22001,2:22P02");
}

TEST(Migration, AMappingThatCannotBeCastNamesTheMappingAndTheUsersExpression) {
    Job job("badcast");
    job.format = "json";
    job.columns = {{"jdata", "json"}};
    job.mappings = {{"cust_id", "(jdata->>'customer_id')"}, {"at", "point(1, 2)"}};
    sql("CREATE TABLE " + q(job.table) + " (cust_id integer, at integer)");
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"customer_id": 1})"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    const auto toml = job.toml();  // named by file, line and key, numbered from 0 like every other key
    const auto line =
        1 + std::count(toml.begin(), toml.begin() + static_cast<long>(toml.find("key = \"point(1, 2)\"")), '\n');
    EXPECT_NE(r.err.find(path + ":" + std::to_string(line) +
                         ": kafka.output.mappings[1].key (name = \"at\", key = \"point(1, 2)\")"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("cannot cast type point to integer"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("dgkafka_stage"), std::string::npos) << r.err;
    EXPECT_EQ(rows(job.table), 0);
}
