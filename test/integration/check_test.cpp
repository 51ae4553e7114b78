// dgkafka check: recorded offsets beside Kafka's, as text and JSON, and its exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
// A job whose 2 partitions hold 50 loaded messages each, then 10 more unloaded on partition 1.
std::string partially_loaded(Job& job) {
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE \"" + job.table + "\" (id integer)");
    create_topic(job.topic, 2);
    std::vector<Record> records;
    for (int i = 0; i < 100; ++i) records.push_back({std::to_string(i), std::nullopt, i % 2});
    produce(job.topic, records);
    const auto path = job.write();
    EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 0) << r.err;
    records.clear();
    for (int i = 0; i < 10; ++i) records.push_back({std::to_string(100 + i), std::nullopt, 1});
    produce(job.topic, records);
    return path;
}

// The whitespace-separated cells of the line that starts with group, topic and partition.
std::vector<std::string> row(const std::string& section, const Job& job, int partition) {
    std::istringstream in(section);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream cells(line);
        std::vector<std::string> out;
        std::string c;
        while (cells >> c) out.push_back(c);
        if (out.size() > 3 && out[0] == job.group && out[1] == job.topic && out[2] == std::to_string(partition))
            return out;
    }
    return {};
}
}  // namespace

TEST(Check, TextShowsRecordedAndKafkaOffsetsWithTheLag) {
    Job job("check");
    const auto path = partially_loaded(job);
    const auto r = run("dgkafka", {"check", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("Database = dgkafka, Topic = " + job.topic + ", Group = " + job.group), std::string::npos)
        << r.out;
    const auto recorded_at = r.out.find("[Last recorded offset]");
    const auto kafka_at = r.out.find("[Offset from Kafka]");
    ASSERT_NE(recorded_at, std::string::npos);
    ASSERT_NE(kafka_at, std::string::npos);
    const auto recorded = r.out.substr(recorded_at, kafka_at - recorded_at);
    const auto kafka = r.out.substr(kafka_at);

    // Group Topic Partition Committed Latest Start End
    auto p1 = row(recorded, job, 1);
    ASSERT_GE(p1.size(), 5u) << recorded;
    EXPECT_EQ(p1[3], "50");
    EXPECT_EQ(p1[4], "50");
    // Group Topic Partition Committed Latest Timestamp(2 cells) Lag
    auto k0 = row(kafka, job, 0);
    auto k1 = row(kafka, job, 1);
    ASSERT_EQ(k1.size(), 8u) << kafka;
    EXPECT_EQ(k0[3], "50") << "the group's Kafka offset mirrors the database";
    EXPECT_EQ(k0[4], "50");
    EXPECT_EQ(k0[7], "0");
    EXPECT_EQ(k1[3], "50");
    EXPECT_EQ(k1[4], "60");
    EXPECT_EQ(k1[7], "10");
    EXPECT_NE(r.out.find("Total lag = 10"), std::string::npos) << r.out;
}

TEST(Check, JsonCarriesTheSameFactsAndTheHistory) {
    Job job("checkjson");
    const auto path = partially_loaded(job);
    const auto r = run("dgkafka", {"check", "-json", "-history", "5", path});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["database"], "dgkafka");
    EXPECT_EQ(j["topic"], job.topic);
    EXPECT_EQ(j["group"], job.group);
    EXPECT_EQ(j["total_lag"], 10);
    ASSERT_EQ(j["recorded"].size(), 2u);
    EXPECT_EQ(j["recorded"][1]["committed"], 50);
    ASSERT_EQ(j["kafka"].size(), 2u);
    EXPECT_EQ(j["kafka"][1]["latest"], 60);
    EXPECT_EQ(j["kafka"][1]["lag"], 10);
    EXPECT_EQ(j["kafka"][0]["committed"], 50);
    int64_t messages = 0;
    int starts = 0;
    for (const auto& h : j["history"]) {
        if (h["event"] == "start-earliest") {
            ++starts;
            EXPECT_EQ(h["messages"], 0);
            continue;
        }
        EXPECT_EQ(h["event"], "load");
        messages += h["messages"].get<int64_t>();
    }
    EXPECT_EQ(starts, 2);  // each partition's first start
    EXPECT_EQ(messages, 100);
    EXPECT_EQ(j["kafka"][1]["note"], "");
}

TEST(Check, ExitCodesSayWhichSideCouldNotBeRead) {
    Job job("checkerr");
    job.columns = {{"id", "integer"}};
    const auto path = job.write();
    create_topic(job.topic, 1);
    auto r = run("dgkafka", {"check", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::not_set_up)) << r.err;
    EXPECT_NE(r.err.find("run `dgkafka setup"), std::string::npos) << r.err;

    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    Job missing = job;
    missing.topic = unique_name("never_created");
    r = run("dgkafka", {"check", missing.write()});
    EXPECT_EQ(r.code, static_cast<int>(Exit::no_topic)) << r.err;
    EXPECT_NE(r.err.find("topic " + missing.topic + " does not exist"), std::string::npos) << r.err;

    const auto no_db = write_file(job.table + "_nodb.toml", "[dgkafka]\nhost = \"127.0.0.1\"\nport = 1\n" +
                                                                job.toml().substr(std::string("[dgkafka]\n").size()) +
                                                                "retry_timeout = 1\n");
    r = run("dgkafka", {"check", no_db});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("gave up after"), std::string::npos) << "a database not there is waited for: " << r.err;
}

TEST(Check, BeforeThisConfigsSetupItSaysSoAlthoughAnotherConfigCreatedTheOffsetTables) {
    Job first("checkshared");
    first.columns = {{"id", "integer"}};
    create_topic(first.topic, 1);
    ASSERT_EQ(run("dgkafka", {"setup", first.write()}).code, 0);

    Job second("checkshared2");
    second.columns = {{"id", "integer"}};
    second.topic = first.topic;
    std::string toml = second.toml();
    for (const std::string suffix : {"_offset\"", "_history\""})
        toml.replace(toml.find(second.table + suffix), second.table.size(), first.table);
    const auto r = run("dgkafka", {"check", write_file(second.table + ".toml", toml)});
    EXPECT_EQ(r.code, static_cast<int>(Exit::not_set_up)) << r.out << r.err;
    EXPECT_NE(r.err.find("run `dgkafka setup"), std::string::npos) << r.err;
}

TEST(Check, TablesAreTabSeparatedAsTheManualsSoCutFindsEachColumn) {
    Job job("checktabs");
    const auto path = partially_loaded(job);
    const auto r = run("dgkafka", {"check", path});
    ASSERT_EQ(r.code, 0) << r.err;
    auto fields = [](const std::string& line) {
        std::vector<std::string> out;
        std::string::size_type start = 0, tab;
        while ((tab = line.find('\t', start)) != std::string::npos) {
            out.push_back(line.substr(start, tab - start));
            start = tab + 1;
        }
        out.push_back(line.substr(start));
        return out;
    };
    std::istringstream in(r.out);
    std::string line;
    std::vector<std::vector<std::string>> lines;
    while (std::getline(in, line)) lines.push_back(fields(line));
    const std::vector<std::string> recorded_header = {"Group",  "Topic", "Partition", "Committed",
                                                      "Latest", "Start", "End"};
    const auto header = std::find(lines.begin(), lines.end(), recorded_header);
    ASSERT_NE(header, lines.end()) << r.out;
    const auto& p0 = *(header + 1);  // cut -f1-7: one cell per column, times with their spaces
    ASSERT_EQ(p0.size(), 7u) << r.out;
    EXPECT_EQ(p0[0], job.group);
    EXPECT_EQ(p0[2], "0");
    EXPECT_EQ(p0[3], "50");
    EXPECT_NE(p0[5].find(' '), std::string::npos) << p0[5];
    const std::vector<std::string> kafka_header = {"Group",  "Topic",     "Partition", "Committed",
                                                   "Latest", "Timestamp", "Lag",       "Note"};
    const auto kafka = std::find(lines.begin(), lines.end(), kafka_header);
    ASSERT_NE(kafka, lines.end()) << r.out;
    const auto& k1 = *(kafka + 2);
    ASSERT_EQ(k1.size(), 8u) << r.out;
    EXPECT_EQ(k1[2], "1");
    EXPECT_EQ(k1[4], "60");
    EXPECT_EQ(k1[6], "10");
}

// A stored offset of a partition the topic no longer has (the topic created again with fewer
// partitions) is shown and fails the check; load names it instead of ignoring it silently.
TEST(Check, AStoredOffsetOfAPartitionKafkaNoLongerHasIsShownAndExits9) {
    Job job("checkgone");
    const auto path = partially_loaded(job);  // 2 partitions
    const auto offsets = dgtest::quoted(job.table + "_offset");
    sql("INSERT INTO " + offsets +
        " (consumer_group, topic, output_table, partition_number, committed_offset) "
        "SELECT consumer_group, topic, output_table, 5, 120 FROM " +
        offsets + " WHERE partition_number = 0");

    auto r = run("dgkafka", {"check", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data_loss)) << r.out << r.err;
    const auto kafka = r.out.substr(r.out.find("[Offset from Kafka]"));
    const auto p5 = row(kafka, job, 5);
    ASSERT_GE(p5.size(), 8u) << kafka;
    EXPECT_EQ(p5[3], "-");
    EXPECT_EQ(p5[4], "-");
    EXPECT_EQ(p5[7], "-");
    EXPECT_NE(kafka.find("partition not in Kafka"), std::string::npos) << kafka;
    EXPECT_EQ(row(kafka, job, 1)[7], "10") << "the partitions Kafka has are shown as before";
    EXPECT_NE(r.err.find("partition 5: stored offset 120, but the topic has 2 partition(s) now"), std::string::npos)
        << r.err;

    r = run("dgkafka", {"check", "-json", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data_loss)) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["kafka"].size(), 3u) << r.out;
    EXPECT_EQ(j["kafka"][2]["partition"], 5);
    EXPECT_TRUE(j["kafka"][2]["latest"].is_null());
    EXPECT_TRUE(j["kafka"][2]["lag"].is_null());
    EXPECT_EQ(j["kafka"][2]["note"], "partition not in Kafka");
    EXPECT_EQ(j["total_lag"], 10);
    ASSERT_EQ(j["recorded"].size(), 3u) << r.out;
    EXPECT_TRUE(j["recorded"][0]["start"].is_string()) << r.out;
    EXPECT_TRUE(j["recorded"][2]["start"].is_null()) << "no batch recorded: null, not \"-\"";
    EXPECT_TRUE(j["recorded"][2]["end"].is_null());

    // load has nothing to load from it, but says so at each start and loads the rest.
    const auto loaded = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(loaded.code, 0) << loaded.err;
    EXPECT_NE(loaded.err.find("partition 5: stored offset 120, but the topic has 2 partition(s) now"),
              std::string::npos)
        << loaded.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 110);
}
