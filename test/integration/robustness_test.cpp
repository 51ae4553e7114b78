// Failures that are not the data's fault: the database restarting or gone, brokers down.
// These take shared servers down, so ctest runs them alone (RUN_SERIAL).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "support/scrape.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using namespace std::chrono_literals;

namespace {
std::string q(const std::string& name) { return quoted(name); }

void sandbox_pg(const std::string& action) {
    const std::string cmd =
        std::string("BUILD_DIR=") + DGKAFKA_BIN_DIR + "/.. " + DGKAFKA_SOURCE_DIR + "/scripts/sandbox.sh pg " + action;
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

Loaded customer_job(const std::string& name, int n, const std::string& brokers_override = "", int retry_timeout = 3) {
    Loaded l{Job::customer(name), customer_rows(n), ""};
    l.job.max_row = 20;
    sql("CREATE TABLE " + q(l.job.table) + customer_ddl);
    std::string toml = l.job.toml();
    if (!brokers_override.empty()) toml.replace(toml.find(brokers()), brokers().size(), brokers_override);
    toml += "retry_timeout = " + std::to_string(retry_timeout) + "\n";  // appended to [kafka.commit], the last table
    // Small fetches, so the consumer really depends on the broker during the load.
    toml +=
        "[kafka.properties]\n\"message.max.bytes\" = 10000\n\"fetch.max.bytes\" = 20000\n\"max.partition.fetch.bytes\" "
        "= 5000\n"
        "\"queued.max.messages.kbytes\" = 64\n";
    l.path = write_file(l.job.table + ".toml", toml);
    return l;
}

void expect_exact(const Loaded& l) {
    EXPECT_EQ(checksum(q(l.job.table), "c_custkey"), expected_customer_checksum(l.job.table, l.rows));
}

// Seeds the topic (on `broker`, else the sandbox's) and runs setup, without loading.
void seed_and_setup(Loaded& l, int partitions, const PrivateBroker* broker = nullptr) {
    const std::string create = "create " + l.job.topic + " " + std::to_string(partitions);
    if (broker)
        broker->control(create);
    else
        control(create);
    std::string csv;
    for (const auto& row : l.rows) csv += row + "\n";
    const auto seeded = run("csv2kafka", {"-d", "|", broker ? broker->brokers : brokers(), l.job.topic, "-"}, csv);
    ASSERT_EQ(seeded.code, 0) << seeded.err;
    ASSERT_EQ(run("dgkafka", {"setup", l.path}).code, 0);
}

// Seeds the job's topic (on `broker`, else the sandbox's) with its rows through csv2kafka, runs
// setup, and starts a -quit-at-eof load; returns once the load has committed a batch.
Spawned start_load(Loaded& l, int partitions, const PrivateBroker* broker = nullptr) {
    seed_and_setup(l, partitions, broker);
    auto loader = spawn("dgkafka", {"load", "-quit-at-eof", l.path});
    EXPECT_TRUE(wait_until([&] { return count_rows(l.job) > 0 || loader.exited(); }, 60s));
    EXPECT_FALSE(loader.exited()) << loader.wait().err;
    return loader;
}

bool logged(const Spawned& s, const std::string& text) { return read_file(s.err_file).find(text) != std::string::npos; }
}  // namespace

TEST(Robustness, DatabaseDownWhenALoadStartsIsWaitedForThenLoadsExactly) {
    auto l = customer_job("pgdownstart", 2000, "", 120);
    seed_and_setup(l, 2);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("stop");
    auto loader = spawn("dgkafka", {"load", "-quit-at-eof", l.path});
    const bool retried = wait_until([&] { return logged(loader, "retrying (attempt 2") || loader.exited(); }, 60s);
    sandbox_pg("start");
    ASSERT_TRUE(retried);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("cannot connect to the database"), std::string::npos) << r.err;
    expect_exact(l);
}

// JSON fields to columns read the output table's columns first: that wait is the same.
TEST(Robustness, DatabaseDownWhenAFieldsToColumnsLoadStartsIsWaitedFor) {
    Job job("pgdownfields");
    job.format = "json";
    job.extra = "retry_timeout = 120\n";  // appended to [kafka.commit]
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1})"}, {R"({"id": 2})"}});
    sql("CREATE TABLE " + q(job.table) + " (id int)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    sandbox_pg("stop");
    auto loader = spawn("dgkafka", {"load", "-quit-at-eof", path});
    const bool retried = wait_until([&] { return logged(loader, "retrying (attempt 2") || loader.exited(); }, 60s);
    sandbox_pg("start");
    ASSERT_TRUE(retried);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "1,2");
}

// A streaming load (it waits for ever) of `l` started while its private brokers are down; retried:
// it said it would try again.
struct WaitingLoad {
    Spawned loader;
    bool retried = false;
};
WaitingLoad start_with_brokers_down(PrivateBroker& broker, Loaded& l, int partitions) {
    seed_and_setup(l, partitions, &broker);
    if (::testing::Test::HasFailure()) return {};  // nothing started
    broker.control("down -1");
    WaitingLoad w{spawn("dgkafka", {"load", l.path})};
    w.retried = wait_until([&] { return logged(w.loader, "; retrying (attempt") || w.loader.exited(); }, 60s);
    return w;
}

TEST(Robustness, BrokersDownWhenAStreamingLoadStartsAreWaitedForThenItLoads) {
    PrivateBroker broker;
    auto l = customer_job("brokerdownstart", 500, broker.brokers);
    auto [loader, retried] = start_with_brokers_down(broker, l, 2);
    ASSERT_FALSE(HasFailure());
    broker.control("up -1");
    ASSERT_TRUE(retried);
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    EXPECT_TRUE(wait_until([&] { return count_rows(l.job) == 500 || loader.exited(); }, 120s));
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    expect_exact(l);
}

// A metadata request blocks for up to 10 s while the brokers are down: it is asked in one-second
// slices, so a stop signal ends the wait within seconds.
TEST(Robustness, ASignalWhileALoadWaitsForTheBrokersAtStartEndsItWithinSeconds) {
    PrivateBroker broker;
    auto l = customer_job("brokerdownsignal", 10, broker.brokers);
    auto [loader, retried] = start_with_brokers_down(broker, l, 1);
    ASSERT_FALSE(HasFailure());
    if (retried && !loader.exited()) kill(loader.pid, SIGTERM);  // in the backoff or the next request
    const auto signalled = std::chrono::steady_clock::now();
    const auto r = loader.wait(std::chrono::seconds(20));
    const auto took = std::chrono::steady_clock::now() - signalled;
    broker.control("up -1");
    ASSERT_TRUE(retried);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("stopped by signal while waiting"), std::string::npos) << r.err;
    EXPECT_LT(took, 4s) << "the signal waited for the metadata request's 10 s";
    EXPECT_EQ(count_rows(l.job), 0);
}

TEST(Robustness, QuitAtEofGivesUpOnBrokersDownAtStartAfterRetryTimeoutNotAFixedTime) {
    PrivateBroker broker;
    auto l = customer_job("brokergonestart", 10, broker.brokers, 2);
    seed_and_setup(l, 1, &broker);
    ASSERT_FALSE(HasFailure());
    broker.control("down -1");
    const auto started = std::chrono::steady_clock::now();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", l.path});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.err;
    EXPECT_NE(r.err.find("gave up after"), std::string::npos) << r.err;
    EXPECT_LT(took, 9s) << "retry_timeout = 2, not librdkafka's 10 s metadata timeout";

    // check shows what the database knows, Kafka's side marked unavailable.
    const auto c = run("dgkafka", {"check", l.path});
    EXPECT_EQ(c.code, static_cast<int>(Exit::kafka)) << c.err;
    EXPECT_NE(c.out.find("[Last recorded offset]"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("unavailable"), std::string::npos) << c.out;
    EXPECT_NE(c.err.find("Kafka unavailable"), std::string::npos) << c.err;
    broker.control("up -1");
}

// With the brokers down, check answers within retry_timeout (not librdkafka's 10 s), and its JSON
// lists each recorded partition "unavailable" as its text does.
TEST(Robustness, CheckWithTheBrokersDownListsEachRecordedPartitionUnavailableWithinRetryTimeout) {
    PrivateBroker broker;
    auto l = customer_job("checkbrokersdown", 10, broker.brokers, 3);
    seed_and_setup(l, 2, &broker);
    ASSERT_FALSE(HasFailure());
    const auto loaded = run("dgkafka", {"load", "-quit-at-eof", l.path});
    ASSERT_EQ(loaded.code, 0) << loaded.err;
    broker.control("down -1");

    const auto started = std::chrono::steady_clock::now();
    const auto r = run("dgkafka", {"check", "-json", l.path});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.err;
    EXPECT_LT(took, 7s) << "retry_timeout = 3, not librdkafka's 10 s metadata timeout";
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["kafka"].size(), 2u) << r.out;
    for (int p = 0; p < 2; ++p) {
        const auto& k = j["kafka"][p];
        EXPECT_EQ(k["partition"], p);
        for (const char* column : {"committed", "latest", "lag"})
            EXPECT_TRUE(k[column].is_null()) << column << ": " << r.out;
    }
    EXPECT_TRUE(j["kafka_timestamp"].is_null()) << r.out;
    EXPECT_TRUE(j["total_lag"].is_null()) << r.out;
    EXPECT_FALSE(j["kafka_error"].is_null()) << r.out;

    const auto text = run("dgkafka", {"check", l.path});
    EXPECT_EQ(text.code, static_cast<int>(Exit::kafka)) << text.err;
    const auto kafka = text.out.substr(text.out.find("[Offset from Kafka]"));
    std::istringstream lines(kafka);
    std::string line;
    int partitions = 0;
    while (std::getline(lines, line))
        if (line.rfind(l.job.group + "\t", 0) == 0) {
            ++partitions;
            std::vector<std::string> cells;
            std::istringstream in(line);
            for (std::string c; std::getline(in, c, '\t');) cells.push_back(c);
            ASSERT_GE(cells.size(), 7u) << line;
            // Committed, Latest, Timestamp, Lag: no Timestamp when Kafka was not asked
            for (size_t i = 3; i < 7; ++i) EXPECT_EQ(cells[i], "unavailable") << i << ": " << line;
        }
    EXPECT_EQ(partitions, 2) << kafka;
    broker.control("up -1");
}

// retry_timeout = 3 gave up "after 5 s": the last backoff step ran past the deadline.
TEST(Robustness, QuitAtEofGivesUpOnADatabaseDownAtStartAtRetryTimeoutNamingIt) {
    auto l = customer_job("pgdowntimeout", 10, "", 3);
    seed_and_setup(l, 1);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("stop");
    const auto started = std::chrono::steady_clock::now();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", l.path});
    const auto took = std::chrono::steady_clock::now() - started;
    sandbox_pg("start");
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("s (kafka.commit.retry_timeout = 3 s): cannot connect to the database"), std::string::npos)
        << r.err;
    EXPECT_GE(took, 3s);
    EXPECT_LT(took, 5s) << "within a backoff step of retry_timeout = 3";
}

// A signal while a load waits at start for a database it cannot reach ends it like a signal
// anywhere else: nothing was in flight, so exit 0, at once (it exited 4).
TEST(Robustness, ASignalWhileALoadWaitsForTheDatabaseAtStartEndsItCleanly) {
    auto l = customer_job("pgdownsignal", 100, "", 120);
    seed_and_setup(l, 1);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("stop");
    auto loader = spawn("dgkafka", {"load", l.path});  // streaming: would wait for ever
    const bool waiting = wait_until([&] { return logged(loader, "; retrying (attempt 2") || loader.exited(); }, 60s);
    if (waiting && !loader.exited()) kill(loader.pid, SIGTERM);
    const auto r = loader.wait(std::chrono::seconds(20));
    sandbox_pg("start");
    ASSERT_TRUE(waiting);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("stopped by signal while waiting (cannot connect to the database"), std::string::npos)
        << r.err;
    EXPECT_EQ(count_rows(l.job), 0);
    // Nothing was lost or half done: the next run loads every row once.
    const auto again = run("dgkafka", {"load", "-quit-at-eof", l.path});
    EXPECT_EQ(again.code, 0) << again.err;
    expect_exact(l);
}

TEST(Robustness, AFailedAuthenticationStopsAtOnce) {
    auto l = customer_job("authfail", 10);
    seed_and_setup(l, 1);
    ASSERT_FALSE(HasFailure());
    // The sandbox trusts every local role that exists: an unknown role is refused for good (28000).
    const auto path =
        write_file(l.job.table + "_badrole.toml", "[dgkafka]\nuser = \"no_such_role\"\n" +
                                                      read_file(l.path).substr(std::string("[dgkafka]\n").size()));
    for (const char* command : {"load", "check"}) {
        const auto r = run("dgkafka", {command, path});  // streaming load: would retry for ever if transient
        EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << command << ": " << r.err;
        EXPECT_NE(r.err.find("SQLSTATE 28000"), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find("retrying"), std::string::npos) << r.err;
    }
}

// A role the database lets in but refuses the job's tables: libpqxx 6.4 throws that error
// (42501) without its SQLSTATE, which once read as a lost connection and was retried for ever.
TEST(Robustness, ARoleWithoutPrivilegesStopsAtOnce) {
    auto l = customer_job("noprivs", 10);
    seed_and_setup(l, 1);
    ASSERT_FALSE(HasFailure());
    const std::string role = l.job.table + "_role";
    sql("CREATE ROLE " + q(role) + " LOGIN");
    const auto path =
        write_file(l.job.table + "_noprivs.toml", "[dgkafka]\nuser = " + toml_string(role) + "\n" +
                                                      read_file(l.path).substr(std::string("[dgkafka]\n").size()));
    for (const char* command : {"load", "check"}) {
        const auto r = run("dgkafka", {command, path});  // streaming load: would retry for ever if transient
        EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << command << ": " << r.err;
        EXPECT_NE(r.err.find("SQLSTATE 42501"), std::string::npos) << command << ": " << r.err;
        EXPECT_EQ(r.err.find("retrying"), std::string::npos) << command << ": " << r.err;
    }
}

TEST(Robustness, PublishWaitsForADatabaseDownAtStart) {
    Job job("publishpgdown");
    job.columns = {{"id", "integer"}, {"name", "text"}};
    job.input_extra = "ext_write_table = " + toml_string(job.table + "_outbox") + "\n";
    job.extra = "retry_timeout = 120\n";
    const auto path = job.write();
    create_topic(job.topic, 1);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    sql("INSERT INTO " + q(job.table + "_outbox") + " VALUES (1, 'a'), (2, 'b')");
    sandbox_pg("stop");
    auto publisher = spawn("dgkafka", {"publish", "-quit-at-eof", path});
    const bool retried =
        wait_until([&] { return logged(publisher, "; retrying (attempt") || publisher.exited(); }, 60s);
    sandbox_pg("start");
    ASSERT_TRUE(retried);
    const auto r = publisher.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 2 messages to " + job.topic + "\n");
    EXPECT_EQ(high_watermark(job.topic, 0), 2);
}

namespace {
// The sandbox's server restarted with another max_connections, and back to the default after.
struct MaxConnections {
    explicit MaxConnections(int n) {
        sql("ALTER SYSTEM SET max_connections = " + std::to_string(n));
        sandbox_pg("restart");
    }
    ~MaxConnections() {
        sql("ALTER SYSTEM RESET max_connections");
        sandbox_pg("restart");
    }
};
}  // namespace

TEST(Robustness, LoadersBeyondTheFreeConnectionsAreReducedOrStopTheLoadClearly) {
    auto l = customer_job("maxconn", 2000);
    seed_and_setup(l, 4);
    ASSERT_FALSE(HasFailure());
    const MaxConnections limit(12);  // destroyed last: after the connections held below
    // Hold all but 2 connections (the sandbox user is a superuser: no reserved ones apply).
    auto probe = db();
    std::vector<std::unique_ptr<pqxx::connection>> held;
    // Once every other client has gone (closed connections' backends exit asynchronously), the
    // free connections are 12 less the probe and those held.
    auto leave_free = [&](int n) {
        const bool alone = wait_until(
            [&] {
                std::string pids = std::to_string(probe->backendpid());
                for (const auto& h : held) pids += "," + std::to_string(h->backendpid());
                pqxx::nontransaction tx(*probe);
                return tx.exec1(
                             "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid NOT "
                             "IN (" +
                             pids + ")")[0]
                           .as<int>() == 0;
            },
            10s);
        while (12 - 1 - static_cast<int>(held.size()) > n) held.push_back(db());
        return alone;
    };
    ASSERT_TRUE(leave_free(2));
    auto r = run("dgkafka", {"load", "-quit-at-eof", "-loaders", "4", l.path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("4 loader(s) asked but the database accepts only 2 more connection(s)"), std::string::npos)
        << r.err;
    expect_exact(l);

    ASSERT_TRUE(leave_free(1));  // not enough for a loader and after_batch_sql's connection
    const auto path = write_file(l.job.table + "_hook.toml",
                                 std::regex_replace(read_file(l.path), std::regex("\\[kafka\\.output\\]\n"),
                                                    "[kafka.output]\nafter_batch_sql = \"SELECT 1\"\n"));
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("accepts 1 more connection(s)"), std::string::npos) << r.err;
    held.clear();
    probe.reset();
}

TEST(Robustness, DatabaseRestartedMidLoadLeavesTheTableExact) {
    auto l = customer_job("pgrestart", 20000);
    auto loader = start_load(l, 4);
    ASSERT_FALSE(HasFailure());
    sandbox_pg("restart");
    // Rows still to load once the server is back were loaded through new connections: the old
    // ones died with the restart. (A fast load may have finished before it.)
    const bool work_left = count_rows(l.job) < static_cast<int64_t>(l.rows.size());
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    if (work_left) {
        EXPECT_NE(r.err.find("retrying"), std::string::npos) << "the loader should have seen the restart: " << r.err;
    }
    expect_exact(l);
}

// A database outage under four loaders: one line when it starts, naming why (the failed
// connection, not libpq's "Could not obtain client encoding"), with the attempt and the time so
// far, and one when it ends; not a line per loader per attempt.
TEST(Robustness, ADatabaseOutageUnderFourLoadersIsOneRetryLineNamingItsCause) {
    auto l = customer_job("pgoutagelines", 2000, "", 60);
    seed_and_setup(l, 4);
    ASSERT_FALSE(HasFailure());
    const int port = free_port();
    auto loader =
        spawn("dgkafka", {"load", "-loaders", "4", "-metrics-address", "127.0.0.1:" + std::to_string(port), l.path});
    ASSERT_TRUE(wait_until([&] { return count_rows(l.job) == 2000 || loader.exited(); }, 120s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    sandbox_pg("stop");
    // Messages for every partition: each loader opens a batch and finds the database gone.
    const auto more = customer_rows(200, 2001);
    produce_round_robin(l.job.topic, more, 4);
    l.rows.insert(l.rows.end(), more.begin(), more.end());
    const auto retries = [&] { return series(scrape(port), "dgkafka_retries_total{target=\"database\"}"); };
    EXPECT_TRUE(wait_until([&] { return retries() >= 12 || loader.exited(); }, 60s)) << "about 3 attempts a loader";
    sandbox_pg("start");
    EXPECT_TRUE(wait_until([&] { return count_rows(l.job) == 2200 || loader.exited(); }, 120s));
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    int retry_lines = 0, starts = 0, ends = 0;
    std::istringstream in(r.err);
    for (std::string line; std::getline(in, line);) {
        if (line.find("retrying") != std::string::npos) ++retry_lines;
        if (line.find("the database is unreachable: ") != std::string::npos) {
            ++starts;
            EXPECT_TRUE(std::regex_search(line, std::regex(R"(retrying \(attempt \d+, \d+ s so far\)$)"))) << line;
            EXPECT_NE(line.find("cannot connect to the database"), std::string::npos) << line;
            EXPECT_EQ(line.find("client encoding"), std::string::npos) << line;
        }
        if (line.find("the database is reachable again after ") != std::string::npos) ++ends;
    }
    EXPECT_EQ(retry_lines, 1) << r.err;
    EXPECT_EQ(starts, 1) << r.err;
    EXPECT_EQ(ends, 1) << r.err;
    expect_exact(l);
}

// While the database is down, the served lag follows the brokers' end offsets (not the last
// committed batch's) and the stall gauge grows; both settle once it is back.
TEST(Robustness, MetricsDuringADatabaseStopShowTheRealLagAndAGrowingStall) {
    auto l = customer_job("pglagmetrics", 1000, "", 60);
    seed_and_setup(l, 2);
    ASSERT_FALSE(HasFailure());
    const int port = free_port();
    auto loader = spawn("dgkafka", {"load", "-metrics-address", "127.0.0.1:" + std::to_string(port), l.path});
    const std::string job = "{consumer_group=\"" + l.job.group + "\",topic=\"" + l.job.topic + "\",partition=\"";
    std::string text;
    const auto sum = [&](const std::string& family) {
        return series(text, family + job + "0\"}") + series(text, family + job + "1\"}");
    };
    const auto caught_up = [&] {
        text = scrape(port);
        return (count_rows(l.job) == static_cast<int64_t>(l.rows.size()) && sum("dgkafka_partition_lag") == 0) ||
               loader.exited();
    };
    if (!wait_until(caught_up, 120s) || loader.exited()) kill(loader.pid, SIGKILL);
    ASSERT_FALSE(loader.exited()) << text << loader.wait().err;

    sandbox_pg("stop");
    const auto more = customer_rows(500, 1001);
    produce_round_robin(l.job.topic, more, 2);
    l.rows.insert(l.rows.end(), more.begin(), more.end());
    EXPECT_TRUE(wait_until(
        [&] {
            text = scrape(port);
            return sum("dgkafka_partition_lag") == 500;
        },
        30s))
        << text;
    EXPECT_TRUE(wait_until(
        [&] {
            text = scrape(port);
            return series(text, "dgkafka_partition_stalled_seconds" + job + "0\"}") >= 2 &&
                   series(text, "dgkafka_partition_stalled_seconds" + job + "1\"}") >= 2;
        },
        30s))
        << text;
    sandbox_pg("start");
    EXPECT_TRUE(wait_until([&] { return caught_up() && sum("dgkafka_partition_stalled_seconds") == 0; }, 120s)) << text;
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
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

// The offset mirror to Kafka is best effort: with every broker down, a stop does not wait for the
// group coordinator to confirm the last offsets (it waited 5 s).
TEST(Robustness, ASigtermWithEveryBrokerDownStopsWithinAboutASecond) {
    PrivateBroker broker;
    auto l = customer_job("brokerdownstop", 500, broker.brokers);
    seed_and_setup(l, 2, &broker);
    ASSERT_FALSE(HasFailure());
    auto loader = spawn("dgkafka", {"load", l.path});
    ASSERT_TRUE(wait_until([&] { return count_rows(l.job) == 500 || loader.exited(); }, 120s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    broker.control("down -1");
    // Once the loader has noticed (librdkafka's warning on its stderr).
    EXPECT_TRUE(wait_until([&] { return logged(loader, "kafka:") || loader.exited(); }, 30s));
    const auto signalled = std::chrono::steady_clock::now();
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait(std::chrono::seconds(30));
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    broker.control("up -1");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_LT(took, 2.0) << r.err;
    EXPECT_NE(r.out.find("stopped by signal"), std::string::npos) << r.out;
    expect_exact(l);
}

// Once the load knows the brokers are down, a stop does not wait for the group coordinator at all.
TEST(Robustness, ASigtermInAKnownBrokerOutageDoesNotWaitForTheMirror) {
    PrivateBroker broker;
    auto l = customer_job("brokeroutagestop", 200, broker.brokers);
    seed_and_setup(l, 2, &broker);
    ASSERT_FALSE(HasFailure());
    auto loader = spawn("dgkafka", {"load", l.path});
    if (!wait_until([&] { return count_rows(l.job) == 200 || loader.exited(); }, 120s)) kill(loader.pid, SIGKILL);
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    broker.control("down -1");
    EXPECT_TRUE(wait_until([&] { return logged(loader, "Kafka is unreachable: ") || loader.exited(); }, 30s));
    const auto signalled = std::chrono::steady_clock::now();
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait(std::chrono::seconds(30));
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    broker.control("up -1");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_LT(took, 0.9) << "not the mirror's second: " << r.err;
    EXPECT_NE(r.err.find("the brokers are unreachable: consumer group"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("did not confirm"), std::string::npos) << r.err;
    expect_exact(l);
}

// An outage of every broker is dgkafka's own news, not only librdkafka's lines: counted in
// /metrics, one line when it starts and one when it ends with its duration.
TEST(Robustness, ABrokerOutageIsCountedAndLoggedWhenItStartsAndEnds) {
    PrivateBroker broker;
    auto l = customer_job("brokeroutage", 500, broker.brokers);
    seed_and_setup(l, 2, &broker);
    ASSERT_FALSE(HasFailure());
    const int port = free_port();
    auto loader = spawn("dgkafka", {"load", "-metrics-address", "127.0.0.1:" + std::to_string(port), l.path});
    if (!wait_until([&] { return count_rows(l.job) == 500 || loader.exited(); }, 120s)) kill(loader.pid, SIGKILL);
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    std::string text;
    const auto metric = [&](const std::string& name) {
        text = scrape(port);
        return series(text, name + "{target=\"kafka\"}");
    };
    EXPECT_EQ(metric("dgkafka_outages_total"), 0) << text;
    broker.control("down -1");
    EXPECT_TRUE(wait_until([&] { return logged(loader, "Kafka is unreachable: ") || loader.exited(); }, 30s));
    EXPECT_TRUE(wait_until([&] { return metric("dgkafka_retries_total") >= 1; }, 30s)) << text;
    EXPECT_EQ(metric("dgkafka_outages_total"), 1) << text;
    broker.control("up -1");
    EXPECT_TRUE(wait_until([&] { return logged(loader, "Kafka is reachable again after ") || loader.exited(); }, 30s));
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    int starts = 0, ends = 0;
    std::istringstream in(r.err);
    for (std::string line; std::getline(in, line);) {
        if (line.find("Kafka is unreachable: ") != std::string::npos) {
            ++starts;
            EXPECT_NE(line.find("warning"), std::string::npos) << line;
            EXPECT_TRUE(std::regex_search(line, std::regex(R"(\(attempt \d+, \d+ s so far\)$)"))) << line;
        }
        if (std::regex_search(line, std::regex(R"(Kafka is reachable again after \d+\.\d s)"))) ++ends;
    }
    EXPECT_EQ(starts, 1) << r.err;
    EXPECT_EQ(ends, 1) << r.err;
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

namespace {
// A job whose loaders join the consumer group; short session timeout so that a lost member's
// partitions move within seconds.
Loaded group_job(const std::string& name, int n) {
    Loaded l{Job::customer(name), customer_rows(n), ""};
    l.job.max_row = 50;
    l.job.input_extra = "assignment = \"group\"\n";
    l.job.extra =
        "retry_timeout = 60\n[kafka.properties]\n\"session.timeout.ms\" = 6000\n\"heartbeat.interval.ms\" = 500\n";
    sql("CREATE TABLE " + q(l.job.table) + customer_ddl);
    l.path = l.job.write();
    create_topic(l.job.topic, 6);
    produce_round_robin(l.job.topic, l.rows, 6);
    EXPECT_EQ(run("dgkafka", {"setup", l.path}).code, 0);
    return l;
}

void expect_each_message_once(const Loaded& l) {
    expect_exact(l);
    EXPECT_EQ(sql_count("SELECT sum(message_count) FROM " + q(l.job.table + "_history") + " WHERE event = 'load'"),
              static_cast<int64_t>(l.rows.size()))
        << "no batch may be committed twice";
}
}  // namespace

TEST(Robustness, OneOfThreeGroupLoadersKilledTheOthersFinishExactly) {
    auto l = group_job("groupkill", 20000);
    std::vector<Spawned> loaders;
    for (int i = 0; i < 3; ++i) loaders.push_back(spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", l.path}));
    ASSERT_TRUE(wait_until([&] { return count_rows(l.job) > 0; }, 60s));
    kill(loaders[1].pid, SIGKILL);
    EXPECT_EQ(loaders[1].wait().code, 128 + SIGKILL);
    for (int i : {0, 2}) {
        const auto r = loaders[i].wait();
        EXPECT_EQ(r.code, 0) << r.err;
    }
    expect_each_message_once(l);
}

TEST(Robustness, ALoaderJoiningMidLoadSharesTheWorkExactly) {
    auto l = group_job("groupjoin", 20000);
    auto first = spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", "-vv", l.path});
    ASSERT_TRUE(wait_until([&] { return count_rows(l.job) > 0; }, 60s));
    auto second = spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", "-vv", l.path});
    const auto r1 = first.wait();
    const auto r2 = second.wait();
    EXPECT_EQ(r1.code, 0) << r1.err;
    EXPECT_EQ(r2.code, 0) << r2.err;
    EXPECT_NE(r1.err.find("partitions revoked"), std::string::npos) << "the join should have rebalanced the first";
    expect_each_message_once(l);
}

TEST(Robustness, ALoaderPausedPastItsSessionCannotCommitItsLateBatch) {
    auto l = group_job("groupstop", 20000);
    // The paused loader may hold its offset rows locked mid-batch: the server ends that
    // transaction after 3 s idle, so the other loader can take the partitions over.
    setenv("PGOPTIONS", "-c idle_in_transaction_session_timeout=3s", 1);
    auto paused = spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", l.path});
    auto other = spawn("dgkafka", {"load", "-quit-at-eof", "-loaders", "1", l.path});
    unsetenv("PGOPTIONS");
    ASSERT_TRUE(wait_until([&] { return count_rows(l.job) > 0; }, 60s));
    kill(paused.pid, SIGSTOP);
    // The other loader finishes everything once the group has given it the paused one's partitions.
    const auto r = other.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(count_rows(l.job), 20000);
    kill(paused.pid, SIGCONT);
    const auto late = paused.wait();
    EXPECT_EQ(late.code, 0) << late.err;
    expect_each_message_once(l);
}

namespace {
// One partition of ~1 KB messages: past the mock broker's 5 MB per partition, retention deletes
// the oldest. Loads the first `loaded` messages, so the job's stored offset is `loaded`.
struct Retention {
    Job job{"retention"};
    std::string path;
    int64_t next_id = 0;

    explicit Retention(const std::string& input_extra = "") {
        job.columns = {{"id", "integer"}, {"pad", "text"}};
        job.input_extra = input_extra;
        sql("CREATE TABLE " + q(job.table) + " (id integer, pad text)");
        path = job.write();
        create_topic(job.topic, 1);
        EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    }
    void produce_messages(int n) {
        std::vector<Record> records;
        for (int i = 0; i < n; ++i)
            records.push_back({std::to_string(next_id++) + "|" + std::string(1000, 'x'), {}, 0});
        produce(job.topic, records);
    }
    int64_t stored() const {
        return sql_count("SELECT coalesce(max(committed_offset), -1) FROM " + q(job.table + "_offset"));
    }
    int64_t history(const std::string& event) const {
        return sql_count("SELECT coalesce(sum(message_count), -1) FROM " + q(job.table + "_history") +
                         " WHERE event = '" + event + "'");
    }
    void expect_gap_named(const std::string& err, int64_t low) const {
        for (const std::string& part :
             {std::string("partition 0"), std::string("stored offset 2000"), "log start offset " + std::to_string(low),
              std::to_string(low - 2000) + " message(s)"})
            EXPECT_NE(err.find(part), std::string::npos) << part << " not in: " << err;
    }
};
}  // namespace

TEST(Robustness, RetentionPastTheStoredOffsetStopsTheLoadUntilSkippedExplicitly) {
    Retention r;
    r.produce_messages(2000);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", r.path}).code, 0);
    ASSERT_EQ(count_rows(r.job), 2000);
    r.produce_messages(8000);
    const int64_t low = low_watermark(r.job.topic, 0);
    ASSERT_GT(low, 2000) << "the mock broker's retention should have deleted offsets 2000..";

    const auto stopped = run("dgkafka", {"load", "-quit-at-eof", r.path});
    EXPECT_EQ(stopped.code, static_cast<int>(Exit::data_loss)) << stopped.err;
    r.expect_gap_named(stopped.err, low);
    EXPECT_EQ(count_rows(r.job), 2000) << "nothing past the gap may be loaded";
    EXPECT_EQ(r.stored(), 2000);

    const auto checked = run("dgkafka", {"check", r.path});
    EXPECT_EQ(checked.code, static_cast<int>(Exit::data_loss)) << checked.err;
    EXPECT_NE(checked.out.find("Retention gaps"), std::string::npos) << checked.out;
    r.expect_gap_named(checked.err, low);
    // Beside the gap, the lag counts from the stored offset (the lost messages too), not the log start.
    const auto as_json = run("dgkafka", {"check", "-json", r.path});
    EXPECT_EQ(as_json.code, static_cast<int>(Exit::data_loss)) << as_json.err;
    const auto kafka0 = nlohmann::json::parse(as_json.out)["kafka"][0];
    EXPECT_EQ(kafka0["lag"], high_watermark(r.job.topic, 0) - 2000) << as_json.out;
    EXPECT_NE(kafka0["note"].get<std::string>().find(std::to_string(low - 2000) + " message(s) deleted"),
              std::string::npos)
        << as_json.out;

    // Accepting the loss is explicit: the gap goes into the history and the load goes on, but
    // the run that skipped still does not exit 0; the next one does.
    r.job.input_extra = "on_data_loss = \"skip\"\n";
    r.path = r.job.write();
    const auto skipped = run("dgkafka", {"load", "-quit-at-eof", r.path});
    EXPECT_EQ(skipped.code, static_cast<int>(Exit::data_loss)) << skipped.err;
    EXPECT_NE(skipped.err.find(std::to_string(low - 2000) + " messages deleted by retention"), std::string::npos)
        << skipped.err;
    EXPECT_NE(skipped.out.find(std::to_string(low - 2000) + " lost to retention (skipped)"), std::string::npos)
        << skipped.out;
    EXPECT_EQ(r.history("retention-gap"), low - 2000);
    EXPECT_EQ(count_rows(r.job), 2000 + (10000 - low));
    EXPECT_EQ(run("dgkafka", {"check", r.path}).code, 0);
    const auto again = run("dgkafka", {"load", "-quit-at-eof", r.path});
    EXPECT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(count_rows(r.job), 2000 + (10000 - low));
}

// A topic deleted and created again starts its offsets anew: a stored offset past the log's end
// would skip every new message until the log reached it, silently.
TEST(Robustness, AStoredOffsetPastTheLogsEndStopsTheLoadUntilSkippedExplicitly) {
    Retention r;
    r.produce_messages(100);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", r.path}).code, 0);
    // As after the topic was created again (the mock broker cannot delete one): the database
    // remembers offset 5000 of the old log, the new log holds offsets 0..99.
    sql("UPDATE " + q(r.job.table + "_offset") + " SET committed_offset = 5000");
    sql("TRUNCATE " + q(r.job.table));

    const auto stopped = run("dgkafka", {"load", "-quit-at-eof", r.path});
    EXPECT_EQ(stopped.code, static_cast<int>(Exit::data_loss)) << stopped.out << stopped.err;
    EXPECT_NE(
        stopped.err.find("partition 0: stored offset 5000 is past the end of the partition's log (offsets 0..99)"),
        std::string::npos)
        << stopped.err;
    EXPECT_EQ(count_rows(r.job), 0);
    EXPECT_EQ(run("dgkafka", {"check", r.path}).code, static_cast<int>(Exit::data_loss));

    r.job.input_extra = "on_data_loss = \"skip\"\n";
    r.path = r.job.write();
    const auto skipped = run("dgkafka", {"load", "-quit-at-eof", r.path});
    EXPECT_EQ(skipped.code, static_cast<int>(Exit::data_loss)) << skipped.err;
    EXPECT_EQ(count_rows(r.job), 100) << "loaded again from the log start";
    EXPECT_EQ(r.stored(), 100);
    EXPECT_EQ(r.history("offset-past-end"), 0) << "recorded; nothing of this log was lost";
    EXPECT_EQ(skipped.out.find("lost to retention"), std::string::npos) << skipped.out;
    EXPECT_NE(skipped.out.find("1 partition(s) restarted at the log start"), std::string::npos) << skipped.out;
    EXPECT_NE(skipped.err.find("past the end of their log"), std::string::npos) << skipped.err;
    EXPECT_EQ(run("dgkafka", {"load", "-quit-at-eof", r.path}).code, 0);
    EXPECT_EQ(count_rows(r.job), 100);
}

TEST(Robustness, RetentionOvertakingARunningLoaderStopsItBeforeTheGap) {
    Retention r;
    r.produce_messages(2000);
    auto loader = spawn("dgkafka", {"load", r.path});  // streaming
    ASSERT_TRUE(wait_until([&] { return r.stored() == 2000 || loader.exited(); }, 60s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    kill(loader.pid, SIGSTOP);  // a loader lagging behind retention
    r.produce_messages(8000);
    const int64_t low = low_watermark(r.job.topic, 0);
    ASSERT_GT(low, 2000);
    kill(loader.pid, SIGCONT);
    const auto stopped = loader.wait();
    EXPECT_EQ(stopped.code, static_cast<int>(Exit::data_loss)) << stopped.err;
    r.expect_gap_named(stopped.err, low);
    EXPECT_EQ(count_rows(r.job), 2000);
    EXPECT_EQ(r.stored(), 2000);

    // -force-reset-earliest moves on and records the size of the gap.
    const auto reset = run("dgkafka", {"load", "-quit-at-eof", "-force-reset-earliest", r.path});
    EXPECT_EQ(reset.code, 0) << reset.err;
    EXPECT_EQ(r.history("reset-earliest"), low - 2000);
    EXPECT_EQ(count_rows(r.job), 2000 + (10000 - low));
}

namespace {
// A streaming job whose batches stay open for 30 s (minimal_interval), with 100 messages waiting.
struct LongInterval {
    Job job{"signal"};
    std::string path, app;

    explicit LongInterval(double interval = 30) {
        job.columns = {{"id", "integer"}};
        job.minimal_interval = interval;
        sql("CREATE TABLE " + q(job.table) + " (id integer)");
        path = job.write();
        create_topic(job.topic, 1);
        std::vector<Record> records;
        for (int i = 0; i < 100; ++i) records.push_back({std::to_string(i), {}, 0});
        produce(job.topic, records);
        EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
        app = unique_name("dgkafka_signal");
    }
    Spawned start(const std::vector<std::string>& flags = {}) {
        setenv("PGAPPNAME", app.c_str(), 1);  // to find the loader's session in pg_stat_activity
        std::vector<std::string> args = {"load"};
        args.insert(args.end(), flags.begin(), flags.end());
        args.push_back(path);
        auto loader = spawn("dgkafka", args);
        unsetenv("PGAPPNAME");
        return loader;
    }
    // A batch's COPY is streaming (not a start-up read, which also has a transaction open).
    bool batch_open() const { return sessions("xact_start IS NOT NULL AND query ILIKE 'COPY%'") > 0; }
    int64_t sessions(const std::string& condition) const {
        return sql_count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "' AND " +
                         condition);
    }
    int64_t stored() const {
        return sql_count("SELECT coalesce(max(committed_offset), -1) FROM " + q(job.table + "_offset"));
    }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void expect_prompt_commit_on(int signo) {
    LongInterval l;
    auto loader = l.start();
    ASSERT_TRUE(wait_until([&] { return l.batch_open() || loader.exited(); }, 60s)) << "the batch should be open";
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    const auto signalled = std::chrono::steady_clock::now();
    kill(loader.pid, signo);
    const auto r = loader.wait();
    EXPECT_LT(seconds_since(signalled), 5.0) << "the batch in flight commits at once, not after minimal_interval";
    EXPECT_EQ(r.code, 0) << r.err;
    const int64_t rows = count_rows(l.job);
    EXPECT_GT(rows, 0);
    EXPECT_EQ(l.stored(), rows);
    EXPECT_EQ(r.out.rfind("LOAD " + std::to_string(rows) + " rows", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("stopped by signal"), std::string::npos) << r.out;
}
}  // namespace

TEST(Robustness, SigtermDuringALongIntervalCommitsTheBatchInFlightAtOnce) { expect_prompt_commit_on(SIGTERM); }

TEST(Robustness, SighupStopsLikeSigterm) { expect_prompt_commit_on(SIGHUP); }

namespace {
// A loader whose commit, started by a first SIGINT, waits on the offset rows the test locks; then
// a second SIGINT. Returns the run and how long it took to exit after the second signal.
std::pair<Result, double> double_signal(LongInterval& l, const std::vector<std::string>& flags = {}) {
    auto loader = l.start(flags);
    EXPECT_TRUE(wait_until([&] { return l.batch_open() || loader.exited(); }, 60s));
    if (loader.exited()) return {loader.wait(), 0};
    auto conn = db();
    pqxx::work lock(*conn);
    lock.exec("SELECT * FROM " + q(l.job.table + "_offset") + " FOR UPDATE");
    kill(loader.pid, SIGINT);
    EXPECT_TRUE(wait_until([&] { return l.sessions("wait_event_type = 'Lock'") > 0; }, 30s));
    const auto signalled = std::chrono::steady_clock::now();
    kill(loader.pid, SIGINT);
    auto r = loader.wait();
    const double took = seconds_since(signalled);
    lock.abort();
    return {r, took};
}
}  // namespace

TEST(Robustness, ASecondSignalRollsBackAndExitsAtOnce) {
    LongInterval l;
    const auto [r, took] = double_signal(l);
    ASSERT_FALSE(HasFailure()) << r.err;
    EXPECT_LT(took, 5.0);
    EXPECT_EQ(r.code, 128 + SIGINT) << r.err;
    EXPECT_NE(r.err.find("second signal"), std::string::npos) << r.err;
    EXPECT_TRUE(wait_until([&] { return l.sessions("true") == 0; }, 30s)) << "the server ends the loader's session";
    EXPECT_EQ(count_rows(l.job), 0) << "the batch in flight is rolled back";
    EXPECT_EQ(l.stored(), 0);
    // Nothing lost: the next run resumes from the stored offsets.
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", l.path}).code, 0);
    EXPECT_EQ(count_rows(l.job), 100);
}

TEST(Robustness, EveryLineIsJsonWithJsonLogsThroughADoubleSignal) {
    LongInterval l;
    const auto [r, took] = double_signal(l, {"-log-format", "json", "-v"});
    ASSERT_FALSE(HasFailure()) << r.err;
    EXPECT_EQ(r.code, 128 + SIGINT) << r.err;
    std::istringstream in(r.err);
    std::string line;
    int lines = 0;
    bool second_signal = false;
    while (std::getline(in, line)) {
        ++lines;
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
        ASSERT_TRUE(j.is_object()) << line;
        EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
        if (j.value("msg", "").find("second signal") != std::string::npos) {
            second_signal = true;
            EXPECT_EQ(j.at("level"), "warning") << line;
        }
    }
    EXPECT_GE(lines, 2) << "the start line (-v) and the signal's";
    EXPECT_TRUE(second_signal) << r.err;
}

// A stop while the database is down: the batch in flight cannot commit, so it is rolled back; the
// run says so, and where the job resumes, and exits 4 (it exited 0, as if it had committed).
TEST(Robustness, ASignalWhileTheDatabaseIsDownRollsBackSaysWhereItResumesAndExitsDatabase) {
    LongInterval l;
    auto loader = l.start();
    ASSERT_TRUE(wait_until([&] { return l.batch_open() || loader.exited(); }, 60s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    sandbox_pg("stop");
    const auto signalled = std::chrono::steady_clock::now();
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait(std::chrono::seconds(60));
    const double took = seconds_since(signalled);
    sandbox_pg("start");
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_LT(took, 5.0);
    EXPECT_NE(r.out.find("stopped by signal while a server was unreachable: the batch in flight was rolled back"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(l.job.topic + "[0] at 0"), std::string::npos) << "where the job resumes: " << r.out;
    EXPECT_NE(r.err.find("the batch in flight was rolled back"), std::string::npos) << r.err;
    EXPECT_EQ(count_rows(l.job), 0);
    EXPECT_EQ(l.stored(), 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", l.path}).code, 0);
    EXPECT_EQ(count_rows(l.job), 100);
}

// The server restarting while a batch's COPY is open: the next write fails inside libpq ("server
// closed the connection unexpectedly", no SQLSTATE); the loader reconnects and loads the batch again.
TEST(Robustness, DatabaseRestartedDuringAnOpenCopyIsRetried) {
    LongInterval l(30);
    auto loader = l.start();
    ASSERT_TRUE(wait_until([&] { return l.batch_open() || loader.exited(); }, 60s));
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    sandbox_pg("restart");
    std::vector<Record> more;
    for (int i = 100; i < 200; ++i) more.push_back({std::to_string(i), {}, 0});
    produce(l.job.topic, more);  // written into the dead COPY
    ASSERT_TRUE(wait_until([&] { return l.batch_open() || loader.exited(); }, 60s))
        << "a new batch on a new connection";
    ASSERT_FALSE(loader.exited()) << loader.wait().err;
    kill(loader.pid, SIGTERM);
    const auto r = loader.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("retrying"), std::string::npos) << r.err;
    EXPECT_EQ(sql_value("SELECT count(*) || ' ' || count(DISTINCT id) FROM " + q(l.job.table)), "200 200");
    EXPECT_EQ(l.stored(), 200);
}

TEST(Robustness, QuitAtEofClosesItsBatchOnceEveryPartitionReachedItsEnd) {
    LongInterval l(20);
    const auto started = std::chrono::steady_clock::now();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", l.path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_LT(seconds_since(started), 10.0) << "not after minimal_interval (20 s)";
    EXPECT_EQ(count_rows(l.job), 100);
}

// A partition far behind its end, fed slowly (small fetches from a broker answering after 25 ms):
// a queue drained for a moment does not close the batch while the fetch in flight brings more,
// so batches fill to max_row instead of committing each fetch's few messages.
TEST(Robustness, BatchesFillWhileAPartitionIsBehindASlowFeed) {
    PrivateBroker broker;
    auto l = customer_job("slowfeed", 3000, broker.brokers);
    auto toml = read_file(l.path);
    toml.replace(toml.find("max_row = 20"), std::string("max_row = 20").size(), "max_row = 1000");
    write_file(l.job.table + ".toml", toml);
    broker.control("create " + l.job.topic + " 1");
    std::string csv;
    for (const auto& row : l.rows) csv += row + "\n";
    // Record batches of 10 messages: a fetch brings a few of them, not the whole backlog.
    const auto seeded =
        run("csv2kafka",
            {"-d", "|", "-X", "batch.num.messages=10", "-X", "linger.ms=0", broker.brokers, l.job.topic, "-"}, csv);
    ASSERT_EQ(seeded.code, 0) << seeded.err;
    ASSERT_EQ(run("dgkafka", {"setup", l.path}).code, 0);
    broker.control("rtt 1 20");
    const auto r = run("dgkafka", {"load", "-quit-at-eof", l.path});
    ASSERT_EQ(r.code, 0) << r.err;
    expect_exact(l);
    const auto batches = sql_count("SELECT count(*) FROM " + q(l.job.table + "_history") + " WHERE event = 'load'");
    // A few record batches a fetch: one batch per fetch would be a hundred or more.
    EXPECT_LE(batches, 12) << "batches of " << 3000 / std::max<int64_t>(batches, 1) << " messages on average";
}
