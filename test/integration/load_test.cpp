// dgkafka load against the sandbox PostgreSQL and mock broker: every message exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using namespace std::chrono_literals;

namespace {

std::string q(const std::string& name) { return quoted(name); }

// Topic with `partitions` partitions holding `rows`, spread round-robin; the job's output table
// exists and `dgkafka setup` has run. Returns the config path.
std::string prepare_customer(const Job& job, int partitions, const std::vector<std::string>& rows) {
    create_topic(job.topic, partitions);
    produce_round_robin(job.topic, rows, partitions);
    sql("CREATE TABLE " + q(job.table) + customer_ddl);
    const auto path = job.write();
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, 0) << r.err;
    return path;
}

std::string expected_checksum(const Job& job, const std::vector<std::string>& rows) {
    return expected_customer_checksum(job.table, rows);
}

std::string stored_offsets(const Job& job) {
    return sql_value(
        "SELECT string_agg(partition_number || ':' || committed_offset, ',' ORDER BY partition_number) FROM " +
        q(job.table + "_offset"));
}

std::string high_watermarks(const Job& job, int partitions) {
    std::string out;
    for (int p = 0; p < partitions; ++p)
        out += (p ? "," : "") + std::to_string(p) + ":" + std::to_string(high_watermark(job.topic, p));
    return out;
}

}  // namespace

TEST(Load, SpecCustomerCsvEndToEndExactlyOnce) {
    auto job = Job::customer("customer");
    const auto rows = customer_rows(3000);
    const auto path = prepare_customer(job, 4, rows);

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 3000 rows from 3000 messages", 0), 0u) << r.out;
    EXPECT_EQ(checksum(q(job.table), "c_custkey"), expected_checksum(job, rows));
    EXPECT_EQ(stored_offsets(job), high_watermarks(job, 4));
    EXPECT_EQ(sql_count("SELECT sum(message_count) FROM " + q(job.table + "_history") + " WHERE event = 'load'"), 3000);

    // Cron mode: a second run with nothing new loads nothing.
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 0 rows from 0 messages", 0), 0u) << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 3000);

    // New messages after that: only they are loaded.
    const auto more = customer_rows(500, 3001);
    std::vector<Record> records;
    for (const auto& row : more) records.push_back({row});
    produce(job.topic, records);
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(DISTINCT c_custkey) FROM " + q(job.table)), 3500);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 3500);
    EXPECT_EQ(stored_offsets(job), high_watermarks(job, 4));
}

TEST(Load, ForceResetEarliestLoadsEveryRowOnceMoreAndRecordsIt) {
    auto job = Job::customer("reset");
    const auto path = prepare_customer(job, 2, customer_rows(400));
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-earliest", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 800);
    EXPECT_EQ(sql_count("SELECT count(DISTINCT c_custkey) FROM " + q(job.table)), 400);
    EXPECT_EQ(sql_value("SELECT string_agg(partition_number || ':' || start_offset || '->' || end_offset, ',' ORDER BY "
                        "partition_number) FROM " +
                        q(job.table + "_history") + " WHERE event = 'reset-earliest'"),
              "0:200->0,1:200->0");
}

TEST(Load, ForceResetLatestLoadsOnlyNewMessages) {
    auto job = Job::customer("latest");
    const auto path = prepare_customer(job, 2, customer_rows(100));
    auto r = run("dgkafka", {"load", "--quit-at-eof", "--force-reset-latest", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 0);
    EXPECT_EQ(stored_offsets(job), "0:50,1:50");
    produce(job.topic, {{customer_rows(1, 7777)[0], std::nullopt, 1}});
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(sql_value("SELECT string_agg(c_custkey::text, ',') FROM " + q(job.table)), "7777");
}

TEST(Load, SigkillMidLoadThenRerunLoadsEveryRowExactlyOnce) {
    auto job = Job::customer("sigkill");
    job.max_row = 50;
    const auto rows = customer_rows(20000);
    const auto path = prepare_customer(job, 4, rows);

    auto loader = spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "2", path});
    const auto count = [&] { return sql_count("SELECT count(*) FROM " + q(job.table)); };
    ASSERT_TRUE(wait_until([&] { return count() > 0 || loader.exited(); }, 60s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    kill(loader.pid, SIGKILL);
    const auto killed = loader.wait();
    EXPECT_EQ(killed.code, 128 + SIGKILL);
    const int64_t at_kill = count();
    EXPECT_LT(at_kill, 20000) << "the load finished before the kill: the test proves less than it should";

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(checksum(q(job.table), "c_custkey"), expected_checksum(job, rows));
    EXPECT_EQ(stored_offsets(job), high_watermarks(job, 4));
}

TEST(Load, SeveralLoadersGiveTheSameResultAsOne) {
    auto one = Job::customer("one");
    const auto rows = customer_rows(4000);
    const auto path_one = prepare_customer(one, 6, rows);
    auto four = Job::customer("four");
    four.topic = one.topic;  // same messages, own group and tables
    four.max_row = 97;
    sql("CREATE TABLE " + q(four.table) + customer_ddl);
    const auto path_four = four.write();
    ASSERT_EQ(run("dgkafka", {"setup", path_four}).code, 0);

    // This test's sessions only: other tests' loads run at the same time.
    const std::string app = "dgkafka_loaders_" + std::to_string(getpid());
    setenv("PGAPPNAME", app.c_str(), 1);
    auto r1 = run("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", path_one});
    auto r4 = run("dgkafka", {"load", "-quit-at-eof", "-loaders=4", path_four});
    unsetenv("PGAPPNAME");
    ASSERT_EQ(r1.code, 0) << r1.err;
    ASSERT_EQ(r4.code, 0) << r4.err;
    EXPECT_EQ(checksum(q(four.table), "c_custkey"), checksum(q(one.table), "c_custkey"));
    EXPECT_EQ(checksum(q(one.table), "c_custkey"), expected_checksum(one, rows));
    EXPECT_EQ(stored_offsets(four), stored_offsets(one));
    EXPECT_TRUE(wait_until(
        [&] { return sql_count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'") == 0; },
        10s))
        << "loaders must close their connections";
}

// librdkafka before 2.1 stops fetching once the consumer's queue is full and looks again up to a
// second later; small queues make that happen again and again here (measured: 8.2 s without
// dgkafka's FetchWaker, 1.0 s with it).
TEST(Load, SmallPrefetchQueuesDoNotStallTheLoad) {
    auto job = Job::customer("small_queues");
    job.max_row = 5000;
    job.extra = "[kafka.properties]\n\"queued.min.messages\" = 100\n\"max.partition.fetch.bytes\" = 4096\n";
    const auto rows = customer_rows(60000);
    const auto path = prepare_customer(job, 8, rows);

    const auto started = std::chrono::steady_clock::now();
    auto r = run("dgkafka", {"load", "-quit-at-eof", "-loaders", "2", path});
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(checksum(q(job.table), "c_custkey"), expected_checksum(job, rows));
    EXPECT_LT(took, 6.0) << "the loaders waited for their fetchers";
}

// Offsets are keyed by the output table as written: "public.t" for a job that ran as "t" would
// load every message again, so it is refused with the spelling to use.
TEST(Load, TheSameTableWrittenAnotherWayIsRefusedNotLoadedTwice) {
    Job job("spelling");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}, {"3"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);

    std::string toml = job.toml();
    const std::string plain = "output_table = \"" + job.table + "\"";
    ASSERT_NE(toml.find(plain), std::string::npos) << toml;
    toml.replace(toml.find(plain), plain.size(), "output_table = \"public." + job.table + "\"");
    const auto qualified = write_file(job.table + "_public.toml", toml);
    for (const std::string command : {"setup", "load", "check"}) {
        const auto r = run("dgkafka", {command, qualified});
        EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << command << ": " << r.out << r.err;
        EXPECT_NE(r.err.find("are stored as \"" + job.table + "\": write output_table = \"" + job.table + "\""),
                  std::string::npos)
            << command << ": " << r.err;
    }
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 3);
}

// A batch closes at max_row or at its share of the process's byte budget, and sends its rows in
// pieces: 20 KB messages with max_row 10,000 once held every message four or five times over.
TEST(Load, LargeMessagesStayWithinTheMemoryBudget) {
    Job job("large_messages");
    job.columns = {{"v", "text"}};
    job.max_row = 10000;
    sql("CREATE TABLE " + q(job.table) + " (v text)");
    create_topic(job.topic, 16);
    const std::string big(20000, 'x');
    std::vector<Record> records;
    int64_t bytes = 0;
    for (int i = 0; i < 2400; ++i) {
        records.push_back({std::to_string(i) + big, {}, i % 16});
        bytes += static_cast<int64_t>(records.back().value.size());
    }
    produce(job.topic, records);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);  // the largest child so far: this load
    EXPECT_EQ(sql_value("SELECT count(*) || ' ' || sum(length(v)) FROM " + q(job.table)),
              "2400 " + std::to_string(bytes));
#ifndef __SANITIZE_ADDRESS__  // AddressSanitizer's shadow memory and quarantine are no measure
    EXPECT_LT(usage.ru_maxrss / 1024, 128) << "peak RSS in MB for 48 MB of messages";
#endif
}

TEST(Load, JsonWithTheSpecsUdfMultiColumnMappingAndAFilter) {
    Job job("t1map");
    job.format = "json";
    job.mappings = {{"cust_id", "(jdata->>'customer_id')::int"},
                    {"field2", "((jdata->>'some_intfield')::numeric * .075)::decimal"},
                    {"j1, j2", "(udf_parse_json(jdata)).*"},
                    {"part", "_partition"},
                    {"off", "_offset"},
                    {"k", "_key"},
                    {"has_ts", "_timestamp IS NOT NULL"}};
    job.filter = "jdata->>'kind' IS DISTINCT FROM 'skip'";
    sql("CREATE OR REPLACE FUNCTION udf_parse_json(value json) RETURNS TABLE (x int, y text) LANGUAGE plpgsql AS $$ "
        "BEGIN RETURN query SELECT ((value->>'customer_id')::int), ((value->>'some_intfield')::text); END $$");
    sql("CREATE TABLE " + q(job.table) +
        " (cust_id int, field2 decimal(7,2), j1 int, j2 text, part int, off bigint, k text, has_ts boolean)");
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({ "customer_id": 1313131, "some_intfield": 12 })", std::string("a")},
                        {R"({ "customer_id": 5, "some_intfield": 1, "kind": "skip" })"},
                        {R"({ "customer_id": 77, "some_intfield": 7 })"},
                        {R"({ "customer_id": 1234, "some_intfield": 56 })", std::string("z")}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 3 rows from 4 messages", 0), 0u) << r.out;
    EXPECT_EQ(
        sql_value(
            "SELECT string_agg(concat_ws('|', cust_id, field2, j1, j2, part, off, k, has_ts), ',' ORDER BY off) FROM " +
            q(job.table)),
        "1313131|0.90|1313131|12|0|0|a|t,77|0.53|77|7|0|2|t,1234|4.20|1234|56|0|3|z|t");
    EXPECT_EQ(stored_offsets(job), "0:4") << "filtered-out messages still advance the offsets";
}

TEST(Load, CsvQuotingIgnoredColumnsAndNulls) {
    Job job("csvq");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"secret", "text"}, {"note", "text"}};
    job.ignored = {"secret"};
    sql("CREATE TABLE " + q(job.table) + " (id integer, note text)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1,x,\"comma, \"\"quote\"\" and\nnewline\""}, {"2,y,"}, {"3,z,\"\""}, {"4,,übergrößen ✓\n"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || '=' || coalesce('[' || note || ']', 'NULL'), ';' ORDER BY id) FROM " +
                        q(job.table)),
              "1=[comma, \"quote\" and\nnewline];2=NULL;3=[];4=[übergrößen ✓]");
}

TEST(Load, BinaryMessagesLandInByteaUnchanged) {
    Job job("bin");
    job.format = "binary";
    sql("CREATE TABLE " + q(job.table) + " (bdata bytea)");
    create_topic(job.topic, 1);
    produce(job.topic, {{std::string("\x00\x01\xff\tA", 5)}, {std::string("\\N")}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(
        sql_value("SELECT string_agg(encode(bdata, 'hex'), ',' ORDER BY length(bdata) DESC) FROM " + q(job.table)),
        "0001ff0941,5c4e");
}

TEST(Load, PartitionNumMustMatchTheTopic) {
    auto job = Job::customer("pnum");
    job.extra = "";
    std::string toml = job.toml();
    toml.replace(toml.find("[kafka.input]\n"), 14, "[kafka.input]\npartition_num = 3\n");
    create_topic(job.topic, 2);
    sql("CREATE TABLE " + q(job.table) + customer_ddl);
    const auto path = write_file(job.table + ".toml", toml);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find("kafka.input.partition_num is 3 but topic " + job.topic + " has 2 partitions"),
              std::string::npos)
        << r.err;
}

TEST(Load, EmptyTopicWithQuitAtEofExitsAtOnce) {
    auto job = Job::customer("empty");
    const auto path = prepare_customer(job, 3, {});
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 0 rows from 0 messages in 0 batches", 0), 0u) << r.out;
    EXPECT_EQ(stored_offsets(job), "0:0,1:0,2:0");
}

TEST(Load, UnknownTopicHasItsOwnExitCode) {
    auto job = Job::customer("notopic");
    sql("CREATE TABLE " + q(job.table) + customer_ddl);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::no_topic)) << r.err;
    EXPECT_NE(r.err.find("topic " + job.topic + " does not exist"), std::string::npos) << r.err;
}

TEST(Load, StreamingLoadStopsCleanlyOnSigterm) {
    auto job = Job::customer("stream");
    const auto path = prepare_customer(job, 2, customer_rows(300));
    auto loader = spawn("dgkafka", {"load", path});
    const auto count = [&] { return sql_count("SELECT count(*) FROM " + q(job.table)); };
    ASSERT_TRUE(wait_until([&] { return count() == 300; }, 60s));
    // Still streaming: a new message shows up without restarting.
    produce(job.topic, {{customer_rows(1, 9001)[0]}});
    ASSERT_TRUE(wait_until([&] { return count() == 301; }, 60s));
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("LOAD 301 rows"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("stopped by signal"), std::string::npos) << r.out;
}

TEST(Load, OverlappingRunsOfTheSameJobLoadEveryRowOnce) {
    auto job = Job::customer("overlap");
    job.max_row = 50;
    const auto rows = customer_rows(6000);
    const auto path = prepare_customer(job, 3, rows);
    // Two cron runs that overlap: both own every partition; the offset rows' locks decide.
    auto first = spawn("dgkafka", {"load", "-quit-at-eof", path});
    auto second = spawn("dgkafka", {"load", "-quit-at-eof", path});
    const auto r1 = first.wait();
    const auto r2 = second.wait();
    ASSERT_EQ(r1.code, 0) << r1.err;
    ASSERT_EQ(r2.code, 0) << r2.err;
    EXPECT_EQ(checksum(q(job.table), "c_custkey"), expected_checksum(job, rows));
    EXPECT_EQ(stored_offsets(job), high_watermarks(job, 3));
    EXPECT_EQ(sql_count("SELECT sum(message_count) FROM " + q(job.table + "_history") + " WHERE event = 'load'"), 6000)
        << "the history counts each message once";
}

TEST(Load, ForceResetTimestampStartsAtTheFirstMessageAtOrAfterIt) {
    Job job("resettime");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 2);
    produce(job.topic, {{"1", std::nullopt, 0}, {"2", std::nullopt, 1}, {"3", std::nullopt, 0}});
    const auto now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    const int64_t t = now_ms() + 1;
    ASSERT_TRUE(wait_until([&] { return now_ms() > t; }, 1s));  // later messages get later timestamps
    produce(job.topic, {{"4", std::nullopt, 0}, {"5", std::nullopt, 1}});
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    auto r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-timestamp", std::to_string(t), path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "4,5");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_history") + " WHERE event = 'reset-timestamp'"), 2);

    // The same instant in ISO 8601 form: everything from it again.
    const std::string iso = sql_value("SELECT to_char(to_timestamp(" + std::to_string(t) +
                                      " / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
    r = run("dgkafka", {"load", "-quit-at-eof", "--force-reset-timestamp=" + iso, path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "4,4,5,5");

    r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-timestamp", "yesterday-ish", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage)) << r.err;
    EXPECT_NE(r.err.find("-force-reset-timestamp yesterday-ish: not a time"), std::string::npos) << r.err;
    for (const std::string word : {"now", "yesterday", ""}) {  // PostgreSQL would read them, relative to the moment
        r = run("dgkafka", {"load", "-quit-at-eof", "--force-reset-timestamp=" + word, path});
        EXPECT_EQ(r.code, static_cast<int>(Exit::usage)) << word << r.err;
        EXPECT_NE(r.err.find("-force-reset-timestamp " + word + ": not a time: "), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("HINT"), std::string::npos) << r.err;
    }
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "4,4,5,5");
}

TEST(Load, ForceResetOffsetReplaysOnePartitionAndRecordsIt) {
    auto job = Job::customer("resetoff");
    const auto path = prepare_customer(job, 2, customer_rows(20));
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-offset", "1:5", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 25);
    EXPECT_EQ(sql_value("SELECT string_agg(partition_number || ':' || start_offset || '->' || end_offset, ',') FROM " +
                        q(job.table + "_history") + " WHERE event = 'reset-offset'"),
              "1:10->5");
    r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-offset", "7:0", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("has no partition 7"), std::string::npos) << r.err;
    r = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-offset", "0:11", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("partition 0 holds offsets 0..10, not 11"), std::string::npos) << r.err;
}

TEST(Load, BeforeAndAfterBatchSqlRunAndAFailureUndoesNothing) {
    auto job = Job::customer("hooks");
    const std::string log_table = q(job.table + "_log");
    create_topic(job.topic, 2);
    produce_round_robin(job.topic, customer_rows(100), 2);
    sql("CREATE TABLE " + q(job.table) + customer_ddl);
    sql("CREATE TABLE " + log_table + " (what text, rows_seen bigint)");
    const std::string before = "INSERT INTO " + log_table + " VALUES ('before', 0)";
    const std::string after = "INSERT INTO " + log_table + " SELECT 'after', count(*) FROM " + q(job.table);
    std::string toml = job.toml();
    toml.replace(toml.find("[kafka.output]\n"), 15,
                 "[kafka.output]\nbefore_load_sql = " + toml_string(before) +
                     "\nafter_batch_sql = " + toml_string(after) + "\n");
    const auto path = write_file(job.table + ".toml", toml);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(what, ',' ORDER BY what) FROM " + log_table + " WHERE what = 'before'"),
              "before");
    EXPECT_EQ(sql_count("SELECT max(rows_seen) FROM " + log_table + " WHERE what = 'after'"), 100)
        << "the last run of after_batch_sql sees every loaded row";

    // A failing after_batch_sql is reported; the rows it followed stay loaded.
    produce_round_robin(job.topic, customer_rows(10, 101), 2);
    toml.replace(toml.find("after_batch_sql = "), 18, "after_batch_sql = \"SELECT 1/0\"\n#");
    const auto failing = write_file(job.table + "_failing.toml", toml);
    r = run("dgkafka", {"load", "-quit-at-eof", failing});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("kafka.output.after_batch_sql failed (the loaded rows stay)"), std::string::npos) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 110);
}

TEST(Load, ABatchIsRefusedWhenAnotherLoaderMovedItsStoredOffset) {
    Job job("fence");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 1);
    std::vector<Record> first;
    for (int i = 0; i < 10; ++i) first.push_back({std::to_string(i)});
    produce(job.topic, first);
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    auto loader = spawn("dgkafka", {"load", path});  // streaming
    const auto count = [&] { return sql_count("SELECT count(*) FROM " + q(job.table)); };
    ASSERT_TRUE(wait_until([&] { return count() == 10 || loader.exited(); }, 60s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    // As another loader would after loading offsets 10..14: the stored offset moves under this one.
    sql("UPDATE " + q(job.table + "_offset") + " SET committed_offset = 15");
    std::vector<Record> second;
    for (int i = 10; i < 20; ++i) second.push_back({std::to_string(i)});
    produce(job.topic, second);

    // Its batch of 10..19 must be refused; it resumes at 15 and loads 15..19 only.
    ASSERT_TRUE(wait_until([&] { return count() >= 15; }, 60s));
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("stored offset is 15 but this loader is at 10"), std::string::npos) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table) + " WHERE id >= 10"),
              "15,16,17,18,19");
    EXPECT_EQ(stored_offsets(job), "0:20");
}

TEST(Load, RowsABeforeTriggerSkipsAreNotCountedAsLoaded) {
    Job job("trigger");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (int i = 1; i <= 10; ++i) records.push_back({std::to_string(i), {}, 0});
    produce(job.topic, records);
    const std::string fn = q(job.table + "_odd_only");
    sql("CREATE TABLE " + q(job.table) + " (id integer)");
    sql("CREATE FUNCTION " + fn +
        "() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN IF NEW.id % 2 = 0 THEN RETURN NULL; END IF; RETURN NEW; END$$");
    sql("CREATE TRIGGER odd_only BEFORE INSERT ON " + q(job.table) + " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 5 rows from 10 messages", 0), 0u) << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 5);
    EXPECT_EQ(stored_offsets(job), "0:10");
}
