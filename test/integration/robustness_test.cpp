// Failures that are not the data's fault: the database restarting or gone, brokers down.
// These take shared servers down, so ctest runs them alone (RUN_SERIAL).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using namespace std::chrono_literals;

namespace {
std::string q(const std::string& name) { return quoted(name); }

void sandbox_pg(const std::string& action) {
    const std::string cmd = std::string("BUILD_DIR=") + DGKAFKA_BIN_DIR + "/.. " + DGKAFKA_SOURCE_DIR +
                            "/scripts/sandbox.sh pg " + action;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

int64_t count_rows(const Job& job) {
    try {
        return sql_count("SELECT count(*) FROM " + q(job.table));
    } catch (const std::exception&) {
        return -1;  // the server is restarting
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Loaded {
    Job job;
    std::vector<std::string> rows;
    std::string path;
};

Loaded customer_job(const std::string& name, int n, const std::string& brokers_override = "") {
    Loaded l{Job::customer(name), customer_rows(n), ""};
    l.job.max_row = 20;
    sql("CREATE TABLE " + q(l.job.table) + customer_ddl);
    std::string toml = l.job.toml();
    if (!brokers_override.empty()) toml.replace(toml.find(brokers()), brokers().size(), brokers_override);
    toml += "retry_timeout = 3\n";  // appended to [kafka.commit], the last table
    // Small fetches, so the consumer really depends on the broker during the load.
    toml += "[kafka.properties]\n\"message.max.bytes\" = 10000\n\"fetch.max.bytes\" = 20000\n\"max.partition.fetch.bytes\" = 5000\n"
            "\"queued.max.messages.kbytes\" = 64\n";
    l.path = write_file(l.job.table + ".toml", toml);
    return l;
}

void expect_exact(const Loaded& l) {
    EXPECT_EQ(checksum(q(l.job.table), "c_custkey"), expected_customer_checksum(l.job.table, l.rows));
}

// Seeds the job's topic (on `broker`, else the sandbox's) with its rows through csv2kafka, runs
// setup, and starts a -quit-at-eof load; returns once the load has committed a batch.
Spawned start_load(Loaded& l, int partitions, const PrivateBroker* broker = nullptr) {
    const std::string create = "create " + l.job.topic + " " + std::to_string(partitions);
    if (broker) broker->control(create);
    else control(create);
    std::string csv;
    for (const auto& row : l.rows) csv += row + "\n";
    const auto seeded = run("csv2kafka", {"-d", "|", broker ? broker->brokers : brokers(), l.job.topic, "-"}, csv);
    EXPECT_EQ(seeded.code, 0) << seeded.err;
    EXPECT_EQ(run("dgkafka", {"setup", l.path}).code, 0);
    auto loader = spawn("dgkafka", {"load", "-quit-at-eof", l.path});
    EXPECT_TRUE(wait_until([&] { return count_rows(l.job) > 0 || loader.exited(); }, 60s));
    EXPECT_FALSE(loader.exited()) << loader.wait().err;
    return loader;
}
}  // namespace

TEST(Robustness, DatabaseRestartedMidLoadLeavesTheTableExact) {
    auto l = customer_job("pgrestart", 20000);
    auto loader = start_load(l, 4);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("restart");
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("retrying"), std::string::npos) << "the loader should have seen the restart: " << r.err;
    expect_exact(l);
}

TEST(Robustness, QuitAtEofGivesUpOnAGoneDatabaseThenResumesExactly) {
    auto l = customer_job("pggone", 20000);
    auto loader = start_load(l, 2);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("stop");
    const auto r = loader.wait();
    sandbox_pg("start");
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("gave up after"), std::string::npos) << r.err;

    const auto again = run("dgkafka", {"load", "-quit-at-eof", l.path});
    ASSERT_EQ(again.code, 0) << again.err;
    expect_exact(l);
}

TEST(Robustness, BrokerDownAndUpMidLoadLeavesTheTableExact) {
    PrivateBroker broker;
    auto l = customer_job("brokerdown", 5000, broker.brokers);
    auto loader = start_load(l, 2, &broker);
    ASSERT_FALSE(HasFailure());
    broker.control("down -1");
    // Up again once the loader has noticed (librdkafka's warning on its stderr).
    EXPECT_TRUE(wait_until([&] { return read_file(loader.err_file).find("kafka:") != std::string::npos; }, 30s));
    broker.control("up -1");
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    expect_exact(l);
}

TEST(Robustness, QuitAtEofGivesUpOnUnreachableBrokers) {
    PrivateBroker broker;
    auto l = customer_job("brokergone", 5000, broker.brokers);
    auto loader = start_load(l, 1, &broker);
    ASSERT_FALSE(HasFailure());
    broker.control("down -1");
    const auto r = loader.wait();
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.err;
    EXPECT_NE(r.err.find("nothing received for 3 s"), std::string::npos) << r.err;
    broker.control("up -1");
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", l.path}).code, 0);
    expect_exact(l);
}
