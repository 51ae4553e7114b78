// csv2kafka: CSV file -> Kafka -> dgkafka load gives back the file, field for field.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using namespace std::chrono_literals;

namespace {
const std::string tricky_csv =
    "1,\"Smith, John\",\"He said \"\"hi\"\"\",,übergrößen ✓\r\n"
    "2,\"two\r\nlines\",plain,\"\",x\r\n"
    "3,a|b,\"c\"\"|\"\"d\",\\N,\\\r\n"
    "4,,,,\r\n";

std::string q(const std::string& name) { return "\"" + name + "\""; }
}  // namespace

TEST(Csv2Kafka, RoundTripThroughDgkafkaLoadGivesTheFileBackFieldForField) {
    Job job("roundtrip");
    job.columns = {{"id", "integer"}, {"a", "text"}, {"b", "text"}, {"c", "text"}, {"d", "text"}};
    create_topic(job.topic, 3);
    const auto file = write_file(job.table + ".csv", tricky_csv);

    auto r = run("csv2kafka", {"-d", ",", "-w", "|", brokers(), job.topic, file});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("csv2kafka: 4 messages, "), std::string::npos) << r.out;

    const std::string ddl = " (id integer, a text, b text, c text, d text)";
    sql("CREATE TABLE " + q(job.table) + ddl);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;

    // PostgreSQL's own CSV reader on the same file is the reference (empty = NULL, "" = '').
    sql("CREATE TABLE " + q(job.table + "_file") + ddl);
    sql("COPY " + q(job.table + "_file") + " FROM '" + file + "' WITH (FORMAT csv)");
    EXPECT_EQ(checksum(q(job.table), "id"), checksum(q(job.table + "_file"), "id"));
    EXPECT_EQ(sql_value("SELECT b FROM " + q(job.table) + " WHERE id = 1"), "He said \"hi\"");
    EXPECT_EQ(sql_value("SELECT a FROM " + q(job.table) + " WHERE id = 2"), "two\r\nlines");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table) + " WHERE id = 2 AND c = ''"), 1);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table) + " WHERE id = 4 AND a IS NULL"), 1);
}

TEST(Csv2Kafka, KeyColumnKeepsEqualKeysOnOnePartitionAndHeaderIsSkipped) {
    Job job("keyed");
    job.format = "json";  // the messages' text, whatever it is, is not parsed: only keys matter
    create_topic(job.topic, 4);
    std::string csv = "region,value\n";
    for (int i = 0; i < 200; ++i) csv += "r" + std::to_string(i % 7) + "," + std::to_string(i) + "\n";
    auto r = run("csv2kafka", {"--header", "--key", "region", "--format", "json", "-X", "linger.ms=1", brokers(),
                               job.topic, write_file(job.table + ".csv", csv)});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("200 messages"), std::string::npos) << r.out;

    job.mappings = {
        {"region", "jdata->>'region'"}, {"value", "(jdata->>'value')::int"}, {"k", "_key"}, {"p", "_partition"}};
    sql("CREATE TABLE " + q(job.table) + " (region text, value int, k text, p int)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table) + " WHERE k = region"), 200);
    EXPECT_EQ(sql_count("SELECT max(n) FROM (SELECT count(DISTINCT p) AS n FROM " + q(job.table) + " GROUP BY k) s"),
              1);
    EXPECT_GT(sql_count("SELECT count(DISTINCT p) FROM " + q(job.table)), 1);
    EXPECT_EQ(sql_count("SELECT sum(value) FROM " + q(job.table)), 199 * 200 / 2);
}

TEST(Csv2Kafka, LimitAndStandardInput) {
    Job job("limit");
    create_topic(job.topic, 1);
    auto r = run("csv2kafka", {"--limit", "3", brokers(), job.topic, "-"}, "a\nb\nc\nd\ne\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("3 messages, 3 bytes"), std::string::npos) << r.out;
    EXPECT_EQ(high_watermark(job.topic, 0), 3);
}

TEST(Csv2Kafka, AnUnclosedQuoteIsReportedWithItsLineNumber) {
    Job job("badcsv");
    create_topic(job.topic, 1);
    auto r = run("csv2kafka", {brokers(), job.topic, "-"}, "1,ok\n2,\"never closed\n3,more\n");
    EXPECT_EQ(r.code, static_cast<int>(Exit::data));
    EXPECT_NE(r.err.find("line 2: unclosed quote"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lines 2 to 3, the end of the file, are that one record"), std::string::npos) << r.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 1);
}

TEST(Csv2Kafka, PropertiesPassThroughToLibrdkafka) {
    Job job("props");
    create_topic(job.topic, 1);
    auto r = run("csv2kafka", {"-X", "no.such.property=1", brokers(), job.topic, "-"}, "a\n");
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka));
    EXPECT_NE(r.err.find("Kafka property no.such.property: No such configuration property"), std::string::npos)
        << r.err;
    r = run("csv2kafka", {"-X", "compression.codec=gzip", "-X", "acks=all", brokers(), job.topic, "-"}, "a\nb\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 2);
    r = run("csv2kafka", {brokers(), unique_name("nosuchtopic"), "-"}, "a\n");
    EXPECT_EQ(r.code, static_cast<int>(Exit::no_topic)) << r.err;
}

TEST(Csv2Kafka, FailedDeliveriesAreCountedAndMakeTheExitCodeNonZero) {
    PrivateBroker broker;
    const std::string topic = unique_name("fails");
    broker.control("create " + topic + " 1");
    broker.control("fail 0 1000 10");  // every Produce request: MESSAGE_TOO_LARGE, not retriable
    auto r = run("csv2kafka", {broker.brokers, topic, "-"}, "a\nb\nc\n");
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.out << r.err;
    EXPECT_NE(r.out.find("0 messages, 0 bytes sent to " + topic + ", 3 failed"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("3 messages failed, the first with: Broker: Message size too large"), std::string::npos)
        << r.err;
}

TEST(Csv2Kafka, AUtf8ByteOrderMarkIsNotPartOfTheFirstHeaderName) {
    Job job("bom");
    job.format = "json";
    create_topic(job.topic, 1);
    auto r =
        run("csv2kafka", {"--header", "--format", "json", brokers(), job.topic, "-"}, "\xEF\xBB\xBFid,name\n1,a\n");
    ASSERT_EQ(r.code, 0) << r.err;
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}};
    sql("CREATE TABLE " + q(job.table) + " (id int, name text)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(sql_value("SELECT id || name FROM " + q(job.table)), "1a");
}

// An interrupted send is an incomplete one: never exit 0, and say where to resume.
TEST(Csv2Kafka, AStopSignalMidFileExitsNonZeroAndSaysWhereToResume) {
    Job job("interrupted");
    create_topic(job.topic, 1);
    std::string csv;
    for (int i = 1; i <= 3000; ++i) csv += std::to_string(i) + ",x\n";
    const auto file = write_file(job.table + ".csv", csv);
    auto sender = spawn("csv2kafka", {"--rate", "500", brokers(), job.topic, file});
    ASSERT_TRUE(wait_until([&] { return high_watermark(job.topic, 0) >= 100 || sender.exited(); }, 60s));
    kill(sender.pid, SIGINT);
    const auto r = sender.wait();
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.out << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.err, m,
                                  std::regex("stopped by a signal before line (\\d+), after (\\d+) messages "
                                             "were delivered: resume with --start-line (\\d+)")))
        << r.err;
    const int next = std::stoi(m[1]);
    EXPECT_EQ(std::stoi(m[2]), next - 1);
    EXPECT_LT(next, 3000);
    EXPECT_EQ(high_watermark(job.topic, 0), next - 1) << "every line before it delivered, none after";

    const auto resumed = run("csv2kafka", {"--start-line", m[3], brokers(), job.topic, file});
    EXPECT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 3000);
}

TEST(Csv2Kafka, AMalformedLineStopsAfterDeliveringTheLinesBeforeItAndSaysHowToResume) {
    Job job("midbad");
    create_topic(job.topic, 1);
    const std::string csv = "1,a\n2,b\n3,c\n4,d\n5,e\n6,\"x\"y\n7,g\n8,h\n9,i\n";
    const auto file = write_file(job.table + ".csv", csv);
    auto r = run("csv2kafka", {brokers(), job.topic, file});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.err;
    EXPECT_NE(r.err.find("line 6: text after a closing quote"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("after 5 messages were delivered"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--start-line 6"), std::string::npos) << r.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 5) << "the records before the bad line were flushed, not dropped";

    r = run("csv2kafka", {"--start-line", "7", brokers(), job.topic, file});  // the bad line left out by hand
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("3 messages"), std::string::npos) << r.out;
    EXPECT_EQ(high_watermark(job.topic, 0), 8);

    Job skipped("skipbad");
    create_topic(skipped.topic, 1);
    r = run("csv2kafka", {"--skip-bad-lines", brokers(), skipped.topic, file});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << "a skipped line is not sent: never exit 0";
    EXPECT_NE(r.out.find("8 messages"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 bad lines skipped"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("line 6: text after a closing quote in field 2 (skipped)"), std::string::npos) << r.err;
    EXPECT_EQ(high_watermark(skipped.topic, 0), 8);
}

TEST(Csv2Kafka, BlankLinesAreSkippedUnlessAskedFor) {
    Job job("blank");
    create_topic(job.topic, 1);
    auto r = run("csv2kafka", {brokers(), job.topic, "-"}, "a\n\nb\r\n\r\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("2 messages, 2 bytes sent to " + job.topic + ", 2 blank lines skipped"), std::string::npos)
        << r.out;
    EXPECT_EQ(high_watermark(job.topic, 0), 2);
    r = run("csv2kafka", {"--keep-blank-lines", brokers(), job.topic, "-"}, "a\n\nb\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 5);
}

// csv2kafka's diagnostics are dgkafka's lines: ISO 8601 UTC timestamp and level, or one JSON object
// a line with --log-format json.
TEST(Csv2Kafka, DiagnosticsAreTimestampedLinesOrJsonObjects) {
    Job job("c2klog");
    create_topic(job.topic, 1);
    const auto file = write_file(job.table + ".csv", "1,a\n2,\"x\"y\n3,c\n");
    auto r = run("csv2kafka", {"--skip-bad-lines", brokers(), job.topic, file});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.err;
    const std::regex text_line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (warning|error) .+)");
    std::istringstream lines(r.err);
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) EXPECT_TRUE(std::regex_match(line, text_line)) << line;
    EXPECT_EQ(count, 1) << r.err;
    EXPECT_NE(r.err.find(" warning " + file + ": line 2: text after a closing quote"), std::string::npos) << r.err;

    r = run("csv2kafka", {"--skip-bad-lines", "--log-format", "json", brokers(), job.topic, file});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.err;
    std::istringstream objects(r.err);
    count = 0;
    for (std::string line; std::getline(objects, line); ++count) {
        const auto j = nlohmann::json::parse(line);
        EXPECT_TRUE(
            std::regex_match(j.at("ts").get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
        EXPECT_EQ(j.at("level"), "warning");
        EXPECT_NE(j.at("msg").get<std::string>().find("line 2: text after a closing quote"), std::string::npos) << line;
    }
    EXPECT_EQ(count, 1) << r.err;

    r = run("csv2kafka", {"--log-format", "yaml", brokers(), job.topic, file});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find(" error --log-format yaml: give text or json"), std::string::npos) << r.err;
}
