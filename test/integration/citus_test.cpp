// Loads into Citus tables (a coordinator and two workers): a row a shard refuses is rejected with
// the shard's own SQLSTATE and the rest of its batch loads; a worker stopped mid-load is waited
// for; what a distributed table cannot do is refused at start; check names the table's kind.
#include "support/citus.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;
using namespace std::chrono_literals;

namespace {
std::string q(const std::string& name) { return dgtest::quoted(name); }

std::string printed(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A job writing `table` on the coordinator, "id,name" CSV messages on one partition.
Job citus_job(const std::string& name) {
    Job job(name);
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    return job;
}

std::vector<std::string> rows(int n, const std::vector<int>& bad = {}) {
    std::vector<std::string> out;
    for (int i = 1; i <= n; ++i) {
        const bool refused = std::find(bad.begin(), bad.end(), i) != bad.end();
        out.push_back(std::to_string(i) + "," + (refused ? "bad" : "name " + std::to_string(i)));
    }
    return out;
}

void produce_rows(const Job& job, const std::vector<std::string>& values, int partitions = 1) {
    create_topic(job.topic, partitions);
    produce_round_robin(job.topic, values, partitions);
}

Result setup_and_load(const Job& job) {
    const auto path = job.write();
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", "-v", path});
}

// "offset sqlstate" of each reject, in offset order.
std::string rejects(const Job& job) {
    return citus_value(
        "SELECT string_agg(\"offset\" || ' ' || coalesce(sqlstate, '-'), ',' ORDER BY \"offset\") FROM " +
        q(job.table + "_rejects"));
}

std::string committed(const Job& job) {
    return citus_value(
        "SELECT string_agg(partition_number || ':' || committed_offset, ',' ORDER BY partition_number) "
        "FROM " +
        q(job.table + "_offset"));
}

const char* const checked_ddl = " (id integer PRIMARY KEY, name text CHECK (name <> 'bad'))";

}  // namespace

TEST(CitusRefusedRows, ARowAShardRefusesIsRejectedWithTheShardsSqlstate) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_check");
    job.max_row = 1000;
    citus_sql("CREATE TABLE " + q(job.table) + checked_ddl);
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', shard_count := 8)");
    produce_rows(job, rows(2000, {1, 500, 1999}));
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 1997);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table) + " WHERE name = 'bad'"), 0);
    EXPECT_EQ(rejects(job), "0 23514,499 23514,1998 23514");
    EXPECT_EQ(committed(job), "0:2000");
    EXPECT_EQ(citus_count("SELECT count(*) FROM pg_prepared_xacts"), 0);
    EXPECT_NE(r.err.find(job.table + " is a Citus table, distributed by id (8 shards on 2 nodes)"), std::string::npos)
        << r.err;
}

TEST(CitusRefusedRows, ThroughMappingsIntoADistributedTable) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_mapped");
    job.max_row = 500;
    job.mappings = {{"id", "id * 10"}, {"name", "upper(name)"}};
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer PRIMARY KEY, name text CHECK (name <> 'BAD'))");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id')");
    produce_rows(job, rows(1000, {2, 3, 777}));
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 997);
    EXPECT_EQ(citus_count("SELECT sum(id) FROM " + q(job.table)), 10 * (500500 - 2 - 3 - 777));
    EXPECT_EQ(rejects(job), "1 23514,2 23514,776 23514");
    EXPECT_EQ(committed(job), "0:1000");
}

TEST(CitusRefusedRows, IntoAReferenceTable) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_ref");
    citus_sql("CREATE TABLE " + q(job.table) + checked_ddl);
    citus_sql("SELECT create_reference_table('" + q(job.table) + "')");
    produce_rows(job, rows(1000, {10, 20}));
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 998);
    EXPECT_EQ(rejects(job), "9 23514,19 23514");
    EXPECT_EQ(committed(job), "0:1000");
}

TEST(CitusRefusedRows, MergeIntoADistributedTableKeepsTheLatestAcceptedRow) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_merge");
    job.max_row = 100;
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    citus_sql("CREATE TABLE " + q(job.table) + checked_ddl);
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id')");
    std::vector<std::string> values;
    for (int i = 1; i <= 300; ++i)
        values.push_back(std::to_string(i % 50) + "," + (i % 97 == 0 ? "bad" : "v" + std::to_string(i)));
    produce_rows(job, values);
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 50);
    EXPECT_EQ(rejects(job), "96 23514,193 23514,290 23514");
    // Key 47's last message (offset 296, "v297") is accepted; key 0's last is v300.
    EXPECT_EQ(citus_value("SELECT name FROM " + q(job.table) + " WHERE id = 47"), "v297");
    EXPECT_EQ(citus_value("SELECT name FROM " + q(job.table) + " WHERE id = 0"), "v300");
    EXPECT_EQ(committed(job), "0:300");
}

TEST(CitusNodeOutage, WorkersStoppedAndRestartedWhileStreamingAreWaitedFor) {
    REQUIRE_CITUS_SANDBOX();
    auto job = citus_job("citus_restart");
    job.max_row = 200;
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer PRIMARY KEY, name text)");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', shard_count := 8)");
    const auto all = rows(30000);
    const std::vector<std::string> first(all.begin(), all.begin() + 10000), second(all.begin() + 10000, all.end());
    produce_rows(job, first, 4);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", "-loaders", "2", path});
    const auto loaded = [&](int64_t n) {
        return wait_until([&] { return citus_count("SELECT count(*) FROM " + q(job.table)) == n; }, 120s);
    };
    ASSERT_TRUE(loaded(10000));
    // A worker restarted at once (immediate): the loaders' cached connections to it are dead.
    citus_node("restart", "worker1");
    produce_round_robin(job.topic, {second.begin(), second.begin() + 10000}, 4);
    ASSERT_TRUE(loaded(20000));
    // A worker down while batches arrive: they cannot commit until it is back.
    citus_node("stop", "worker2");
    produce_round_robin(job.topic, {second.begin() + 10000, second.end()}, 4);
    ASSERT_TRUE(wait_until([&] { return printed(load.err_file).find("retrying") != std::string::npos; }, 60s));
    citus_node("start", "worker2");
    ASSERT_TRUE(loaded(30000));
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(DISTINCT id) FROM " + q(job.table)), 30000);
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + q(job.table + "_offset")), 30000);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table + "_rejects")), 0);
}

TEST(CitusNodeOutage, TheCoordinatorRestartedWhileStreamingIsWaitedFor) {
    REQUIRE_CITUS_SANDBOX();
    auto job = citus_job("citus_coord");
    job.max_row = 300;
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer PRIMARY KEY, name text)");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', shard_count := 8)");
    const auto all = rows(20000);
    produce_rows(job, {all.begin(), all.begin() + 10000}, 2);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", path});
    const auto loaded = [&](int64_t n) {
        return wait_until([&] { return citus_count("SELECT count(*) FROM " + q(job.table)) == n; }, 120s);
    };
    ASSERT_TRUE(loaded(10000));
    citus_node("stop", "coordinator");
    produce_round_robin(job.topic, {all.begin() + 10000, all.end()}, 2);
    ASSERT_TRUE(wait_until([&] { return printed(load.err_file).find("retrying") != std::string::npos; }, 60s));
    citus_node("start", "coordinator");
    ASSERT_TRUE(loaded(20000));
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(DISTINCT id) FROM " + q(job.table)), 20000);
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + q(job.table + "_offset")), 20000);
}

TEST(CitusTableKind, MergeNotMatchingOnTheDistributionColumnIsRefusedAtStart) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_keyed");
    job.columns = {{"id", "integer"}, {"name", "text"}, {"tenant", "integer"}};
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer, name text, tenant integer, PRIMARY KEY (tenant, id))");
    citus_sql("CREATE UNIQUE INDEX ON " + q(job.table) + " (id, tenant)");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'tenant')");
    produce_rows(job, {"1,a,7"});
    const auto path = job.write();
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 3) << s.err;
    EXPECT_NE(s.err.find("kafka.output.match_columns: output table " + job.table +
                         " is distributed by tenant (32 shards on 2 nodes): merge and update must match on its "
                         "distribution column; add \"tenant\" to match_columns"),
              std::string::npos)
        << s.err;
    const auto l = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(l.code, 3) << l.err;
    EXPECT_NE(l.err.find("add \"tenant\" to match_columns"), std::string::npos) << l.err;

    // Matching on it, but changing it: refused too.
    auto changing = job;
    changing.output_extra =
        "mode = \"update\"\nmatch_columns = [\"id\", \"tenant\"]\nupdate_columns = [\"name\", \"tenant\"]\n";
    const auto u = run("dgkafka", {"setup", changing.write()});
    EXPECT_EQ(u.code, 3) << u.err;
    EXPECT_NE(u.err.find("kafka.output.update_columns: output table " + job.table), std::string::npos) << u.err;
    EXPECT_NE(u.err.find("leave \"tenant\" out of update_columns"), std::string::npos) << u.err;
}

TEST(CitusTableKind, CheckNamesTheOutputTablesKind) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_kind");
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer, name text)");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', shard_count := 4)");
    produce_rows(job, rows(10));
    ASSERT_EQ(setup_and_load(job).code, 0);
    const auto path = job.write();
    const auto text = run("dgkafka", {"check", path});
    EXPECT_EQ(text.code, 0) << text.err;
    EXPECT_NE(text.out.find("Output table = " + job.table + ": distributed by id (4 shards on 2 nodes)\n"),
              std::string::npos)
        << text.out;
    const auto json = run("dgkafka", {"check", "-json", path});
    EXPECT_EQ(json.code, 0) << json.err;
    EXPECT_NE(json.out.find("\"kind\": \"distributed\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"distribution_column\": \"id\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"shards\": 4"), std::string::npos) << json.out;
}

// 002's append-distributed events: batches append to the newest shard until it holds
// append_shard_size, then to a new one; a row a shard refuses is rejected (Citus reports it as
// XX000 and takes no statement into such a table that would keep its SQLSTATE).
TEST(CitusAppendDistributed, BatchesAppendToShardsAndMoveOnWhenOneIsFull) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_append");
    job.max_row = 2000;
    job.output_extra = "append_shard_size = 1\n";
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer, name text CHECK (name <> 'bad'))");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', 'append')");
    std::vector<std::string> values;
    const std::string padding(200, 'x');
    for (int i = 1; i <= 20000; ++i)
        values.push_back(std::to_string(i) + "," + (i == 7 || i == 15000 ? "bad" : padding));
    produce_rows(job, values);
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 19998);
    EXPECT_EQ(citus_count("SELECT count(DISTINCT id) FROM " + q(job.table)), 19998);
    EXPECT_EQ(rejects(job), "6 XX000,14999 XX000");
    EXPECT_EQ(committed(job), "0:20000");
    // About 4.5 MB in shards of 1 MB.
    EXPECT_GE(citus_count("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '" + q(job.table) + "'::regclass"),
              3);
    const auto check = run("dgkafka", {"check", job.write()});
    EXPECT_NE(check.out.find(": append-distributed by id ("), std::string::npos) << check.out;
}

TEST(CitusAppendDistributed, ThroughMappingsAndAFilter) {
    REQUIRE_CITUS();
    auto job = citus_job("citus_append_mapped");
    job.max_row = 300;
    job.mappings = {{"id", "id * 2"}, {"name", "upper(name)"}};
    job.filter = "id % 10 <> 0";
    citus_sql("CREATE TABLE " + q(job.table) + " (id integer, name text CHECK (name <> 'BAD'))");
    citus_sql("SELECT create_distributed_table('" + q(job.table) + "', 'id', 'append')");
    produce_rows(job, rows(1000, {3, 501}));
    const auto r = setup_and_load(job);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + q(job.table)), 898);  // 1000 - 100 filtered - 2 refused
    EXPECT_EQ(citus_count("SELECT sum(id) FROM " + q(job.table)), 2 * (500500 - 50500 - 3 - 501));
    EXPECT_EQ(rejects(job), "2 XX000,500 XX000");
    EXPECT_EQ(committed(job), "0:1000");
    // Merge into it is refused at start.
    auto merging = job;
    merging.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    const auto m = run("dgkafka", {"setup", merging.write()});
    EXPECT_EQ(m.code, 3) << m.err;
    EXPECT_NE(m.err.find("kafka.output.mode: output table " + job.table + " is append-distributed by id"),
              std::string::npos)
        << m.err;
}
