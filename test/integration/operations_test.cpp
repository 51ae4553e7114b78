// Running dgkafka as a service: machine-readable logs, metrics, monitoring exit codes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "support/scrape.hpp"
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
        EXPECT_TRUE(
            std::regex_search(l, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (error|warning|info|debug) )")))
            << l;
    EXPECT_EQ(run("dgkafka", {"load", "-q", "-v", path}).code, static_cast<int>(Exit::usage));
    EXPECT_EQ(run("dgkafka", {"load", "-log-format", "xml", path}).code, static_cast<int>(Exit::usage));
}

namespace {

// promtool's verdict on an exposition: its exit code and what it printed.
Result promtool_check(const std::string& text) {
    const auto path = write_file("metrics.txt", text);
    Result r;
    const std::string cmd = "promtool check metrics < " + path + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
    r.code = WEXITSTATUS(::pclose(p));
    return r;
}
}  // namespace

TEST(Metrics, AfterAKnownLoadMetricsHoldItsCountsAndPromtoolAcceptsThem) {
    Job job("metrics");
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 2);
    std::vector<Record> records;
    for (int i = 0; i < 10; ++i) records.push_back({std::to_string(i), std::nullopt, 0});
    for (int i = 0; i < 5; ++i) records.push_back({std::to_string(i), std::nullopt, 1});
    records.push_back({"not a number", std::nullopt, 1});
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    const int port = free_port();
    auto loader = spawn("dgkafka", {"load", "-metrics-address", "127.0.0.1:" + std::to_string(port), path});
    const std::string job_labels = "consumer_group=\"" + job.group + "\",topic=\"" + job.topic + "\"";
    std::string text;
    ASSERT_TRUE(wait_until(
        [&] {
            text = scrape(port);
            return series(text, "dgkafka_messages_consumed_total{" + job_labels + "}") == 16 &&
                   series(text, "dgkafka_partition_stored_offset{" + job_labels + ",partition=\"1\"}") == 6;
        },
        std::chrono::seconds(60)))
        << text << loader.wait().err;

    EXPECT_EQ(series(text, "dgkafka_rows_loaded_total{" + job_labels + "}"), 15) << text;
    EXPECT_EQ(series(text, "dgkafka_messages_rejected_total{" + job_labels + "}"), 1) << text;
    EXPECT_EQ(series(text, "dgkafka_messages_lost_total{" + job_labels + "}"), 0) << text;
    const double batches = series(text, "dgkafka_batches_committed_total{" + job_labels + "}");
    EXPECT_GE(batches, 2) << "two loaders, one partition each" << text;
    EXPECT_EQ(series(text, "dgkafka_batch_duration_seconds_count{" + job_labels + "}"), batches) << text;
    EXPECT_EQ(series(text, "dgkafka_batch_duration_seconds_bucket{" + job_labels + ",le=\"+Inf\"}"), batches) << text;
    EXPECT_EQ(series(text, "dgkafka_partition_stored_offset{" + job_labels + ",partition=\"0\"}"), 10) << text;
    EXPECT_EQ(series(text, "dgkafka_partition_lag{" + job_labels + ",partition=\"0\"}"), 0) << text;
    EXPECT_EQ(series(text, "dgkafka_partition_lag{" + job_labels + ",partition=\"1\"}"), 0) << text;
    EXPECT_EQ(series(text, "dgkafka_retries_total{target=\"database\"}"), 0) << text;
    EXPECT_EQ(series(text, "dgkafka_retries_total{target=\"kafka\"}"), 0) << text;
    EXPECT_NE(text.find("dgkafka_build_info{version=\""), std::string::npos) << text;
    const auto verdict = promtool_check(text);
    EXPECT_EQ(verdict.code, 0) << verdict.out << text;
    EXPECT_EQ(verdict.out, "") << "no lint findings";

    ::kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("LOAD 15 rows from 16 messages"), std::string::npos) << r.out;
}

TEST(Metrics, ABadAddressIsAConfigErrorNamingTheKey) {
    Job job("metricsbad");
    job.columns = {{"id", "integer"}};
    job.extra = "";
    auto toml = job.toml();
    toml.replace(toml.find("[dgkafka]") + 9, 0, "\nmetrics_address = \"localhost\"");
    const auto r = run("dgkafka", {"check", write_file("bad_metrics.toml", toml)});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find("dgkafka.metrics_address: \"localhost\" is not HOST:PORT"), std::string::npos) << r.err;
}

namespace {
// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
  public:
    NotifySocket() : path_(::testing::TempDir() + unique_name("notify")) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path_;
    }
    ~NotifySocket() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    const std::string& path() const { return path_; }
    // Every datagram until one holds `line` (as a whole line) or the time is up.
    bool wait_for(const std::string& line, std::chrono::seconds timeout, std::string& seen) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) continue;
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) continue;
            const std::string msg(buf, static_cast<size_t>(n));
            seen += msg + "|";
            for (const auto& l : lines(msg))
                if (l == line) return true;
        }
        return false;
    }

  private:
    std::string path_;
    int fd_ = -1;
};
}  // namespace

TEST(Service, UnderSystemdALoadSaysReadyThenStoppingOnSigterm) {
    Job job("notify");
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    NotifySocket notify;
    ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
    auto loader = spawn("dgkafka", {"load", path});
    ::unsetenv("NOTIFY_SOCKET");
    std::string seen;
    ASSERT_TRUE(notify.wait_for("READY=1", std::chrono::seconds(60), seen)) << seen << loader.wait().err;
    EXPECT_FALSE(loader.exited());
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)) == 2; },
                           std::chrono::seconds(60)));
    ::kill(loader.pid, SIGTERM);
    EXPECT_TRUE(notify.wait_for("STOPPING=1", std::chrono::seconds(30), seen)) << seen;
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(seen.find("STOPPING=1"), seen.rfind("STOPPING=1")) << "said once: " << seen;
}

TEST(CheckMaxLag, ExitsLaggingNamingThePartitionsBehindAndJsonCarriesTheLagOfEach) {
    Job job("maxlag");
    job.columns = {{"id", "integer"}};
    create_topic(job.topic, 2);
    std::vector<Record> records;
    for (int i = 0; i < 5; ++i) records.push_back({std::to_string(i), std::nullopt, 0});
    for (int i = 0; i < 2; ++i) records.push_back({std::to_string(i), std::nullopt, 1});
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    auto r = run("dgkafka", {"check", "-max-lag", "3", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::lagging)) << r.err;
    EXPECT_NE(r.err.find(job.topic + "[0] lags 5 (over -max-lag 3)"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(job.topic + "[1]"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Total lag = 7"), std::string::npos) << "the report comes first: " << r.out;

    r = run("dgkafka", {"check", "-json", "-max-lag", "3", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::lagging)) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("max_lag"), 3);
    std::map<int, int64_t> lag;
    for (const auto& k : j.at("kafka")) lag[k.at("partition").get<int>()] = k.at("lag").get<int64_t>();
    EXPECT_EQ(lag, (std::map<int, int64_t>{{0, 5}, {1, 2}}));

    EXPECT_EQ(run("dgkafka", {"check", "-max-lag", "5", path}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    r = run("dgkafka", {"check", "-max-lag", "0", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(run("dgkafka", {"check", "-max-lag", "-1", path}).code, static_cast<int>(Exit::usage));
}

TEST(Metrics, PublishCountsTheRowsKafkaAcknowledged) {
    const auto job = Job::outbox("metricspub");
    const auto path = prepare_outbox(job);
    sql("INSERT INTO " + dgtest::quoted(job.outbox_table()) + " SELECT generate_series(1, 7)");

    const int port = free_port();
    auto publisher = spawn("dgkafka", {"publish", "-metrics-address", "127.0.0.1:" + std::to_string(port), path});
    const std::string series_name = "dgkafka_messages_published_total{topic=\"" + job.topic + "\"}";
    std::string text;
    ASSERT_TRUE(wait_until([&] { return series(text = scrape(port), series_name) == 7; }, std::chrono::seconds(60)))
        << text << publisher.wait().err;
    EXPECT_EQ(high_watermark(job.topic, 0), 7);
    EXPECT_GE(series(text, "dgkafka_batches_committed_total{topic=\"" + job.topic + "\"}"), 1) << text;
    EXPECT_NE(text.find("command=\"publish\"} 1"), std::string::npos) << text;
    const auto verdict = promtool_check(text);
    EXPECT_EQ(verdict.code, 0) << verdict.out << text;
    ::kill(publisher.pid, SIGTERM);
    const auto r = publisher.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 7 messages to " + job.topic + ", stopped by signal\n");  // SIGTERM above
}

namespace {
// A one-partition job whose `n` messages load one a batch, with [kafka.output] lines `retention`.
std::string one_message_batches(Job& job, int n, const std::string& retention) {
    job.columns = {{"id", "integer"}};
    job.max_row = 1;
    job.output_extra = retention;
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (int i = 0; i < n; ++i) records.push_back({std::to_string(i)});
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    return path;
}

int64_t history_count(const Job& job, const std::string& condition) {
    return sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_history") + " WHERE " + condition);
}
}  // namespace

TEST(History, ALoadKeepsTheNewestBatchRowsOfEachPartitionUnderHistoryKeepRows) {
    Job job("historyrows");
    const auto path = one_message_batches(job, 300, "history_keep_rows = 50\n");
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_NE(r.out.find("300 messages in 300 batches"), std::string::npos) << r.out;
    const int64_t loads = history_count(job, "event = 'load'");
    EXPECT_GE(loads, 50);
    EXPECT_LE(loads, 55) << "at most a tenth over the retention between steps";
    EXPECT_EQ(history_count(job, "event = 'load' AND end_offset > " + std::to_string(300 - loads)), loads)
        << "the newest are kept";
    EXPECT_EQ(history_count(job, "event = 'start-earliest'"), 1) << "other events are not pruned";

    // check -history reads what is kept, as before.
    const auto c = run("dgkafka", {"check", "-json", "-history", "3", path});
    ASSERT_EQ(c.code, 0) << c.err;
    const auto j = nlohmann::json::parse(c.out);
    ASSERT_EQ(j.at("history").size(), 3u) << c.out;
    EXPECT_EQ(j.at("history").back().at("end_offset"), 300) << c.out;
}

TEST(History, ALoadPrunesBatchRowsOlderThanHistoryKeepDaysAndKeepsOtherEvents) {
    Job job("historydays");
    const auto path = one_message_batches(job, 20, "history_keep_rows = 0\nhistory_keep_days = 30\n");
    // What a months-long job left behind: batches 40 and 10 days old, and a reset 40 days old.
    const auto old_rows = [&](int count, const std::string& event, int days) {
        sql("INSERT INTO " + dgtest::quoted(job.table + "_history") +
            " (consumer_group, topic, output_table, partition_number, event, start_offset, end_offset, message_count,"
            " batch_start, batch_end) SELECT '" +
            job.group + "', '" + job.topic + "', '" + job.table + "', 0, '" + event + "', 0, 0, 0, now() - interval '" +
            std::to_string(days) + " days', now() - interval '" + std::to_string(days) +
            " days' FROM generate_series(1, " + std::to_string(count) + ")");
    };
    old_rows(200, "load", 40);
    old_rows(10, "load", 10);
    old_rows(1, "reset-earliest", 40);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(history_count(job, "event = 'load' AND batch_end < now() - interval '30 days'"), 0);
    EXPECT_EQ(history_count(job, "event = 'load' AND batch_end < now() - interval '9 days'"), 10);
    EXPECT_EQ(history_count(job, "event = 'load' AND message_count = 1"), 20) << "this run's batches";
    EXPECT_EQ(history_count(job, "event = 'reset-earliest'"), 1) << "other events are not pruned";
}
