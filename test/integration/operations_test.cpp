// Running dgkafka as a service: machine-readable logs, metrics, monitoring exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// A job of one partition holding `good` loadable messages and then one that is not an integer.
std::string job_with_a_reject(Job& job, int good) {
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (int i = 0; i < good; ++i) records.push_back({std::to_string(i)});
    records.push_back({"not a number"});
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    return path;
}
}  // namespace

TEST(Logs, JsonLinesParseAndCarryTheBatchsTopicPartitionAndOffsets) {
    Job job("logjson");
    job.extra = "[kafka.properties]\ndebug = \"metadata\"\n";  // librdkafka's own lines, through the same path
    const auto path = job_with_a_reject(job, 4);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", "-log-format", "json", "-vv", path});
    ASSERT_EQ(r.code, 0) << r.err;
    bool reject_line = false, librdkafka_line = false;
    const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
    for (const auto& l : lines(r.err)) {
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(l)) << l;
        ASSERT_TRUE(j.is_object()) << l;
        EXPECT_TRUE(std::regex_match(j.at("ts").get<std::string>(), iso)) << l;
        EXPECT_TRUE(j.at("level") == "debug" || j.at("level") == "info" || j.at("level") == "warning") << l;
        EXPECT_FALSE(j.at("msg").get<std::string>().empty()) << l;
        if (j.value("component", "") == "librdkafka") librdkafka_line = true;
        if (j.at("msg").get<std::string>().find("rejected into") != std::string::npos) {
            reject_line = true;
            EXPECT_EQ(j.at("level"), "warning");
            EXPECT_EQ(j.at("topic"), job.topic);
            EXPECT_EQ(j.at("partition"), 0);
            EXPECT_EQ(j.at("first_offset"), 0);
            EXPECT_EQ(j.at("last_offset"), 4);
        }
    }
    EXPECT_TRUE(reject_line) << r.err;
    EXPECT_TRUE(librdkafka_line) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 4);
}

TEST(Logs, TextLinesHaveATimestampAndLevelAndQuietKeepsOnlyErrors) {
    Job job("logtext");
    const auto path = job_with_a_reject(job, 2);
    auto r = run("dgkafka", {"load", "-quit-at-eof", "-q", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "") << "-q: the reject warning is filtered out";
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 1);

    r = run("dgkafka", {"check", "-v", "-json", path + ".missing"});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    const auto all = lines(r.err);
    ASSERT_FALSE(all.empty());
    for (const auto& l : all)
        EXPECT_TRUE(std::regex_search(l, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (error|warning|info|debug) )")))
            << l;
    EXPECT_EQ(run("dgkafka", {"load", "-q", "-v", path}).code, static_cast<int>(Exit::usage));
    EXPECT_EQ(run("dgkafka", {"load", "-log-format", "xml", path}).code, static_cast<int>(Exit::usage));
}
