// The seeds' pipelines on a Citus cluster (a coordinator and two workers), with the examples' own
// files: the real-time dashboard (003) on co-located distributed tables with its rollup after each
// batch and its distinct counts in HyperLogLog, kafka-sink-json (000) into a distributed table,
// 002's append-distributed events, and several group-mode loaders scaling out against the cluster,
// one of them killed. Then what a new user would try: rows refused every way, nodes killed and
// restarted mid-batch, reference tables, one-megabyte messages. What today's code gets wrong is
// skipped as "known: ..." unless DGKAFKA_CITUS_KNOWN=1.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "support/citus.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path example(const std::string& name) { return fs::path(DGKAFKA_SOURCE_DIR) / "examples" / name; }

// A schema of the test's own, first in the search_path of every session the test opens (dgkafka's
// through PGOPTIONS): the examples' fixed table names never meet another run's.
class OwnSchema {
  public:
    explicit OwnSchema(const std::string& prefix) : name_(unique_name(prefix)) {
        citus_sql("CREATE SCHEMA " + name_);
        setenv("PGOPTIONS", ("-c search_path=" + name_ + ",public").c_str(), 1);
    }
    ~OwnSchema() { unsetenv("PGOPTIONS"); }
    const std::string& name() const { return name_; }

  private:
    std::string name_;
};

// A SQL file run on the coordinator by psql, as a user would (statement by statement: Citus
// refuses some DDL after a parallel operation in one transaction).
void citus_psql_file(const fs::path& file) {
    const auto& c = citus();
    const std::string cmd = "psql -X -q -v ON_ERROR_STOP=1 -h '" + c.host + "' -p " + c.port + " -U '" + c.user +
                            "' -d '" + c.database + "' -f '" + file.string() + "' >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// An example's dgkafka.toml pointed at the sandbox's brokers, the test's topic and the cluster.
std::string example_config(const std::string& name, const std::string& topic) {
    std::string toml = read(example(name) / "dgkafka.toml");
    toml = std::regex_replace(toml, std::regex(R"(brokers = "[^"]*")"), "brokers = \"" + brokers() + "\"");
    toml = std::regex_replace(toml, std::regex(R"(\btopic = "[^"]*")"), "topic = \"" + topic + "\"");
    toml = std::regex_replace(toml, std::regex(R"(\[dgkafka\]\n)"), "[dgkafka]\n" + citus_database_settings());
    return write_file(topic + ".toml", toml);
}

// All rows of a query on the coordinator, columns joined by '|', rows by '\n'.
std::string citus_rows(const std::string& query) {
    auto c = citus_db();
    pqxx::nontransaction tx(*c);
    std::string out;
    for (const auto& row : tx.exec(query)) {
        if (!out.empty()) out += '\n';
        for (pqxx::row::size_type i = 0; i < row.size(); ++i)
            out += (i ? "|" : "") + (row[i].is_null() ? std::string() : row[i].as<std::string>());
    }
    return out;
}

void produce_lines(const std::string& topic, const std::vector<std::string>& lines, int partitions) {
    std::vector<Record> records;
    for (const auto& line : lines)
        records.push_back({line, std::nullopt, static_cast<int32_t>(records.size() % partitions)});
    produce(topic, records);
}

// Deterministic HTTP request events like the guide's load generator: 32 sites, four countries,
// 200 or 404 (and a few 500), IP addresses from a pool large enough that HLL estimates.
std::vector<std::string> http_requests(int n, int first) {
    const char* const countries[] = {"China", "India", "USA", "Indonesia"};
    std::vector<std::string> out;
    for (int i = first; i < first + n; ++i) {
        const unsigned h = static_cast<unsigned>(i) * 2654435761u;
        const int site = static_cast<int>(h % 32);
        const int status = h % 7 == 0 ? 500 : (h % 3 == 0 ? 404 : 200);
        const std::string ip =
            std::to_string(2 + (h >> 8) % 50) + "." + std::to_string((h >> 14) % 250) + ".0." + std::to_string(i % 5);
        out.push_back("{\"site_id\": " + std::to_string(site) + ", \"url\": \"http://example.com/" + std::to_string(i) +
                      "\", \"request_country\": \"" + countries[(h >> 4) % 4] + "\", \"ip_address\": \"" + ip +
                      "\", \"status_code\": " + std::to_string(status) +
                      ", \"response_time_msec\": " + std::to_string(5 + (h >> 3) % 150) + "}");
    }
    return out;
}

// The guide's dashboard query over the raw requests (every row of its window, in order) and the
// same over the per-minute rollup.
const char* const raw_dashboard =
    "SELECT site_id, date_trunc('minute', ingest_time) as minute, COUNT(1) AS request_count, "
    "SUM(CASE WHEN (status_code between 200 and 299) THEN 1 ELSE 0 END) as success_count, "
    "SUM(CASE WHEN (status_code between 200 and 299) THEN 0 ELSE 1 END) as error_count, "
    "SUM(response_time_msec) / COUNT(1) AS average_response_time_msec "
    "FROM http_request WHERE date_trunc('minute', ingest_time) > now() - '5 minutes'::interval "
    "GROUP BY site_id, minute ORDER BY site_id, minute";
const char* const rollup_dashboard =
    "SELECT site_id, ingest_time as minute, request_count, success_count, error_count, average_response_time_msec "
    "FROM http_request_1min WHERE ingest_time > date_trunc('minute', now()) - '5 minutes'::interval "
    "ORDER BY site_id, minute";

int64_t rolled_up() { return citus_count("SELECT coalesce(sum(request_count), 0) FROM http_request_1min"); }

}  // namespace

TEST(CitusExamples, HttpDashboardRollsUpCoLocatedTablesAfterBatchesAndAgreesWithTheRawRows) {
    REQUIRE_CITUS();
    if (citus_value("SELECT count(*) FROM pg_extension WHERE extname = 'hll'") != "1")
        GTEST_SKIP() << "the hll extension is not installed on the cluster (Debian: postgresql-15-hll)";
    OwnSchema schema("dashboard");
    citus_psql_file(example("http-dashboard") / "schema-citus.sql");
    const std::string topic = unique_name("http_requests");
    const auto path = example_config("http-dashboard", topic);
    create_topic(topic, 4);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    // Both tables hash-distributed by site_id, in one co-location group.
    EXPECT_EQ(
        citus_rows("SELECT logicalrelid::regclass::text, partmethod, column_to_column_name(logicalrelid, partkey) "
                   "FROM pg_dist_partition WHERE logicalrelid IN ('http_request'::regclass, "
                   "'http_request_1min'::regclass) ORDER BY 1"),
        "http_request|h|site_id\nhttp_request_1min|h|site_id");
    EXPECT_EQ(citus_count("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE logicalrelid IN "
                          "('http_request'::regclass, 'http_request_1min'::regclass)"),
              1);

    // A streaming load: the rollup follows each round while the loader still runs.
    auto load = spawn("dgkafka", {"load", path});
    produce_lines(topic, http_requests(3000, 0), 4);
    EXPECT_TRUE(wait_until([] { return rolled_up() == 3000; }, 120s)) << rolled_up();
    produce_lines(topic, http_requests(5000, 3000), 4);
    EXPECT_TRUE(wait_until([] { return rolled_up() == 8000; }, 120s)) << rolled_up();
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM http_request"), 8000);
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM kafka_offset"), 8000);

    // The guide's dashboard, from the rollup and from the raw rows: the same rows, every request.
    const auto dashboard = citus_rows(rollup_dashboard);
    EXPECT_EQ(dashboard, citus_rows(raw_dashboard));
    EXPECT_EQ(citus_count(std::string("SELECT sum(request_count) FROM (") + rollup_dashboard + ") d"), 8000);
    // Its requests per country (the guide's american_visitors column, for every country).
    EXPECT_EQ(
        citus_rows("SELECT site_id, ingest_time, key, value FROM http_request_1min, jsonb_each_text(country_counters) "
                   "ORDER BY 1, 2, 3"),
        citus_rows("SELECT site_id, date_trunc('minute', ingest_time), request_country, count(*) FROM http_request "
                   "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
    EXPECT_EQ(
        citus_rows("SELECT site_id, ingest_time, COALESCE(country_counters->>'USA', '0')::int FROM http_request_1min "
                   "ORDER BY 1, 2"),
        citus_rows("SELECT site_id, date_trunc('minute', ingest_time), count(*) FILTER (WHERE request_country = "
                   "'USA') FROM http_request GROUP BY 1, 2 ORDER BY 1, 2"));

    // Distinct IP addresses: HLL's estimate (log2m 11: standard error 1.04/sqrt(2048) = 2.3%) within
    // three standard errors of count(DISTINCT), per site and minute and over the whole period.
    const double bound = 3 * 1.04 / std::sqrt(2048.0);
    auto c = citus_db();
    pqxx::nontransaction tx(*c);
    const auto per_minute = tx.exec(
        "SELECT r.site_id, r.ingest_time, hll_cardinality(r.distinct_ip_addresses)::bigint, e.exact "
        "FROM http_request_1min r JOIN (SELECT site_id, date_trunc('minute', ingest_time) AS minute, "
        "count(DISTINCT ip_address) AS exact FROM http_request GROUP BY 1, 2) e "
        "ON e.site_id = r.site_id AND e.minute = r.ingest_time ORDER BY 1, 2");
    EXPECT_EQ(static_cast<int64_t>(per_minute.size()), citus_count("SELECT count(*) FROM http_request_1min"));
    for (const auto& row : per_minute) {
        const double estimate = row[2].as<double>(), exact = row[3].as<double>();
        EXPECT_LE(std::abs(estimate - exact), bound * exact)
            << "site " << row[0].c_str() << " minute " << row[1].c_str();
    }
    const double period = tx.exec1(
                                "SELECT hll_cardinality(hll_union_agg(distinct_ip_addresses))::bigint "
                                "FROM http_request_1min WHERE ingest_time > date_trunc('minute', now()) - "
                                "'5 minutes'::interval")[0]
                              .as<double>();
    const double exact = tx.exec1("SELECT count(DISTINCT ip_address) FROM http_request")[0].as<double>();
    EXPECT_GT(exact, 5000);  // large enough that HLL estimates rather than counts
    EXPECT_LE(std::abs(period - exact), bound * exact) << period << " for " << exact;
}

// Loaders commit in any order: a batch stamped in one minute (its transaction's start) may commit
// after a batch of the next minute was rolled up. The rollup must still count it.
TEST(CitusExamples, HttpDashboardRollupCountsABatchCommittedAfterALaterOne) {
    REQUIRE_CITUS();
    if (citus_value("SELECT count(*) FROM pg_extension WHERE extname = 'hll'") != "1")
        GTEST_SKIP() << "the hll extension is not installed on the cluster (Debian: postgresql-15-hll)";
    OwnSchema schema("dashboard_late");
    citus_psql_file(example("http-dashboard") / "schema-citus.sql");
    const std::string insert =
        "INSERT INTO http_request (site_id, url, request_country, ip_address, status_code, response_time_msec) "
        "VALUES (7, 'http://example.com/', 'USA', '10.0.0.1', 200, 10)";
    auto early = citus_db();
    pqxx::work batch(*early);  // a loader's batch, stamped now(), not committed yet
    batch.exec(insert);
    // Another loader's batch, of a later minute, committed and rolled up first.
    citus_sql(
        "INSERT INTO http_request (site_id, ingest_time, url, request_country, ip_address, status_code, "
        "response_time_msec) VALUES (7, now() + interval '2 minutes', 'http://example.com/', 'USA', '10.0.0.2', "
        "200, 10)");
    citus_sql("SELECT rollup_http_request()");
    EXPECT_EQ(rolled_up(), 1);
    batch.commit();
    citus_sql("SELECT rollup_http_request()");
    EXPECT_EQ(rolled_up(), 2);
    EXPECT_EQ(citus_count("SELECT count(*) FROM http_request"), 2);
}

TEST(CitusExamples, KafkaSinkJsonIntoADistributedTablePrintsItsExpectedResult) {
    REQUIRE_CITUS();
    OwnSchema schema("sink_json");
    citus_psql_file(example("kafka-sink-json") / "schema.sql");
    citus_sql("SELECT create_distributed_table('kafka_test', 'a')");  // as schema.sql says, on Citus
    const std::string topic = unique_name("test");
    const auto path = example_config("kafka-sink-json", topic);
    create_topic(topic, 3);
    std::vector<std::string> lines;
    std::istringstream in(read(example("kafka-sink-json") / "messages.jsonl"));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    produce_lines(topic, lines, 3);

    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    std::string expected = read(example("kafka-sink-json") / "expected.out");
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    EXPECT_EQ(citus_rows(read(example("kafka-sink-json") / "check.sql")), expected) << r.err;
    EXPECT_EQ(citus_value("SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = 'kafka_test'::regclass"), "h");
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM kafka_offset"), 3);
}

namespace {

// Reproductions of what today's code gets wrong on Citus are skipped with their reason, unless
// DGKAFKA_CITUS_KNOWN=1 runs them (to see the failure, or to check a fix).
#define SKIP_KNOWN(reason)                                                                    \
    do {                                                                                      \
        const char* run_known = std::getenv("DGKAFKA_CITUS_KNOWN");                           \
        if (!run_known || std::string(run_known) != "1") GTEST_SKIP() << "known: " << reason; \
    } while (0)

// 002's events table, append-distributed by time, and a job writing JSON events into it.
Job append_events_job(const std::string& name, bool mapped) {
    Job job(name);
    job.database = citus_database_settings();
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) + " (time timestamp, data jsonb)");
    citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'time', 'append')");
    if (mapped) {
        job.format = "json";
        job.mappings = {{"time", "(jdata->>'time')::timestamp"}, {"data", "jdata"}};
    } else {
        job.delimiter = "|";
        job.columns = {{"time", "timestamp"}, {"data", "jsonb"}};
    }
    create_topic(job.topic, 2);
    std::vector<std::string> events;
    for (int i = 0; i < 100; ++i) {
        const std::string time = "2015-01-01 00:" + std::string(i < 60 ? "00" : "01") + ":" + (i % 60 < 10 ? "0" : "") +
                                 std::to_string(i % 60);
        events.push_back(mapped ? "{\"time\": \"" + time + "\", \"n\": " + std::to_string(i) + "}"
                                : time + "|{\"n\": " + std::to_string(i) + "}");
    }
    produce_round_robin(job.topic, events, 2);
    return job;
}

// 002's events load exactly once into the append-distributed table: every event in a shard of
// its own, the offsets at the end, a second run loading nothing.
void expect_append_loaded(const Job& job) {
    const auto path = job.write();
    const auto setup = run("dgkafka", {"setup", path});
    ASSERT_EQ(setup.code, 0) << setup.err;
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 100);
    EXPECT_EQ(citus_count("SELECT count(DISTINCT data->>'n') FROM " + dgtest::quoted(job.table)), 100);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table) + " WHERE time < '2015-01-01 00:01'"),
              60);
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 100);
    EXPECT_GE(citus_count("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '" + dgtest::quoted(job.table) +
                          "'::regclass"),
              1);
    const auto again = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 100);
}

}  // namespace

TEST(CitusAppendDistribution, EventsLoadExactlyOnceByCopy) {
    REQUIRE_CITUS();
    expect_append_loaded(append_events_job("citus_append_copy", false));
}

TEST(CitusAppendDistribution, EventsLoadExactlyOnceThroughMappings) {
    REQUIRE_CITUS();
    expect_append_loaded(append_events_job("citus_append_mapped", true));
}

namespace {
// "id,name" rows numbered from `first`.
std::vector<std::string> numbered_rows(int n, int first) {
    std::vector<std::string> out;
    for (int i = first; i < first + n; ++i) out.push_back(std::to_string(i) + ",name " + std::to_string(i));
    return out;
}

int64_t all_nodes_prepared_xacts() {
    return citus_count("SELECT count(*) FROM pg_prepared_xacts") +
           citus_count(
               "SELECT coalesce(sum(result::int), 0) FROM run_command_on_workers("
               "'SELECT count(*) FROM pg_prepared_xacts')");
}
}  // namespace

// Several `dgkafka load` processes of one job in group mode against the cluster: one SIGKILLed
// mid-load and started again, more messages meanwhile; every message lands once.
TEST(CitusScaleOut, GroupLoadersOneKilledAndRestartedLoadEveryMessageOnce) {
    REQUIRE_CITUS();
    Job job("citus_scale");
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    job.max_row = 500;
    job.input_extra = "assignment = \"group\"\n";
    job.extra = "[kafka.properties]\n\"session.timeout.ms\" = 6000\n\"heartbeat.interval.ms\" = 500\n";
    // No unique key: a message loaded twice shows as a duplicate id.
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 8)");
    create_topic(job.topic, 8);
    produce_round_robin(job.topic, numbered_rows(40000, 1), 8);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto loaded = [&] { return citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)); };

    std::vector<Spawned> loads;
    for (int i = 0; i < 3; ++i) loads.push_back(spawn("dgkafka", {"load", "-loaders", "2", path}));
    ASSERT_TRUE(wait_until([&] { return loaded() >= 5000; }, 120s));
    kill(loads[1].pid, SIGKILL);
    EXPECT_EQ(loads[1].wait().code, 128 + SIGKILL);
    produce_round_robin(job.topic, numbered_rows(20000, 40001), 8);
    loads[1] = spawn("dgkafka", {"load", "-loaders", "2", path});
    const bool all = wait_until(
        [&] {
            return citus_count("SELECT coalesce(sum(committed_offset), 0) FROM " +
                               dgtest::quoted(job.table + "_offset")) == 60000;
        },
        180s);
    EXPECT_TRUE(all) << loaded();
    for (auto& l : loads) kill(l.pid, SIGTERM);
    for (auto& l : loads) {
        const auto r = l.wait();
        EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    }
    EXPECT_EQ(loaded(), 60000);
    EXPECT_EQ(citus_count("SELECT count(DISTINCT id) FROM " + dgtest::quoted(job.table)), 60000);
    EXPECT_EQ(citus_count("SELECT sum(id::bigint) FROM " + dgtest::quoted(job.table)), 60000LL * 60001 / 2);
    EXPECT_EQ(citus_count("SELECT sum(message_count) FROM " + dgtest::quoted(job.table + "_history") +
                          " WHERE event = 'load'"),
              60000)
        << "no batch may be committed twice";
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
    // A transaction the kill cut short is resolved by Citus's recovery (every minute at most).
    EXPECT_TRUE(wait_until([] { return all_nodes_prepared_xacts() == 0; }, 90s)) << all_nodes_prepared_xacts();
}

namespace {
// A distributed (or reference) table refusing rows every way a table can: NOT NULL, CHECK, a
// unique key within a batch and against a stored row, a value its type cannot read, a trigger.
Job refusing_table_job(const std::string& name, bool reference, bool trigger = true) {
    Job job(name);
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}, {"n", "integer"}};
    const auto t = dgtest::quoted(job.table);
    citus_sql("CREATE TABLE " + t + " (id integer PRIMARY KEY, name text NOT NULL CHECK (name <> 'bad'), n integer)");
    citus_sql(reference ? "SELECT create_reference_table('" + t + "')"
                        : "SELECT create_distributed_table('" + t + "', 'id', shard_count := 8)");
    citus_sql(
        "CREATE OR REPLACE FUNCTION refuse_13() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NEW.n = 13 THEN RAISE EXCEPTION 'thirteen: %', NEW.id; END IF; RETURN NEW; END $$");
    // Citus refuses triggers on distributed tables unless told (the README's Citus section).
    if (trigger) {
        auto c = citus_db();
        pqxx::nontransaction tx(*c);
        tx.exec("SET citus.enable_unsafe_triggers = on");
        tx.exec("CREATE TRIGGER refuse_13 BEFORE INSERT ON " + t + " FOR EACH ROW EXECUTE FUNCTION refuse_13()");
    }
    citus_sql("INSERT INTO " + t + " VALUES (100000, 'stored', 0)");
    return job;
}

// 3,000 rows, one partition, batches of 1,000; the refused ones at offsets 9 (NOT NULL), 19
// (CHECK), 40 (the id of offset 39, same batch), 49 (the stored row's id), and as asked 59 (the
// trigger), 1500 (the id of offset 1499: the one refused row of its batch) and `not_integer` (a
// value its type cannot read: found on the coordinator, before any shard).
struct Refusals {
    int not_integer = 2029;  // 29: in the batch of the shards' refusals
    bool trigger_row = false;
    bool lone_duplicate = false;
};

std::vector<std::string> refused_rows(const Refusals& with) {
    std::vector<std::string> out;
    for (int i = 1; i <= 3000; ++i) {
        std::string id = std::to_string(i), name = "name " + std::to_string(i), n = std::to_string(i % 7);
        if (i == 10) name = "";
        if (i == 20) name = "bad";
        if (i == 41) id = "40";
        if (i == 50) id = "100000";
        if (i == 60 && with.trigger_row) n = "13";
        if (i == 1501 && with.lone_duplicate) id = "1500";
        if (i == with.not_integer + 1) n = "abc";
        out.push_back(id + "," + name + "," + n);
    }
    return out;
}

void expect_refused_rows_rejected(const Job& job, const Refusals& with) {
    create_topic(job.topic, 1);
    produce_round_robin(job.topic, refused_rows(with), 1);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    const auto t = dgtest::quoted(job.table);
    std::map<int, std::string> refused = {
        {9, "23502"}, {19, "23514"}, {40, "23505"}, {49, "23505"}, {with.not_integer, "22P02"}};
    if (with.trigger_row) refused[59] = "P0001";
    if (with.lone_duplicate) refused[1500] = "23505";
    std::string expected;
    for (const auto& [offset, sqlstate] : refused)
        expected += (expected.empty() ? "" : ",") + std::to_string(offset) + " " + sqlstate;
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + t), 3000 - static_cast<int64_t>(refused.size()) + 1);
    EXPECT_EQ(
        citus_value("SELECT string_agg(\"offset\" || ' ' || coalesce(sqlstate, '-'), ',' ORDER BY \"offset\") FROM " +
                    dgtest::quoted(job.table + "_rejects")),
        expected);
    EXPECT_EQ(citus_value("SELECT name FROM " + t + " WHERE id = 40"), "name 40");     // the first of the two
    EXPECT_EQ(citus_value("SELECT name FROM " + t + " WHERE id = 100000"), "stored");  // kept
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 3000);
}
}  // namespace

TEST(CitusRefusedRowsOfEveryKind, IntoADistributedTable) {  // COPY straight into it
    REQUIRE_CITUS();
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_copy", false, false), {});
}

// A table with a BEFORE INSERT trigger is loaded through the staging table (INSERT ... SELECT).
TEST(CitusRefusedRowsOfEveryKind, IntoADistributedTableWithATrigger) {
    REQUIRE_CITUS();
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_trigger", false, true), {});
}

TEST(CitusRefusedRowsOfEveryKind, IntoAReferenceTable) {
    REQUIRE_CITUS();
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_ref", true, true), {29, true, true});
}

TEST(CitusRefusedRowsOfEveryKind, ARowATriggerRefusesOnAShardIsRejected) {
    REQUIRE_CITUS();
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_raising", false, true), {2029, true, false});
}

TEST(CitusRefusedRowsOfEveryKind, ADuplicateKeyAloneInALaterBatchKeepsItsSqlstate) {
    REQUIRE_CITUS();
    SKIP_KNOWN(
        "in 2 of 3 full 'ctest -L citus' runs (never run alone, 15 tries) a batch whose one refused row repeats "
        "the key of the row before it is rejected with XX000 instead of 23505 (rows and offsets right)");
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_lone_dup", false, false), {2029, false, true});
}

TEST(CitusRefusedRowsOfEveryKind, ShardRefusalsBesideAValueFailingTypeInputKeepTheirSqlstate) {
    REQUIRE_CITUS();
    SKIP_KNOWN(
        "a batch holding a value that fails its type's input is not staged numbered but isolated by COPY "
        "runs, and a Citus COPY reports a shard's refusal as XX000: its rows are rejected with XX000 (rows "
        "and offsets right)");
    expect_refused_rows_rejected(refusing_table_job("citus_refuse_mixed", false, false), {29, false, false});
}

namespace {
// A count that a node being down makes unknown (-1) rather than an exception.
int64_t count_or_unknown(const std::string& query) {
    try {
        return citus_count(query);
    } catch (const std::exception&) {
        return -1;
    }
}

// A job streaming "id,name" rows into a table distributed by id without a unique key (a row loaded
// twice shows), whose batches stay open `seconds` while they fill.
Job open_batch_job(const std::string& name, double seconds, bool reference = false) {
    Job job(name);
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    job.max_row = 100000;
    job.minimal_interval = seconds;
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    citus_sql(reference
                  ? "SELECT create_reference_table('" + dgtest::quoted(job.table) + "')"
                  : "SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 8)");
    create_topic(job.topic, 2);
    return job;
}

// A batch of the job's loaders is open on the coordinator (its COPY streaming, not committed).
bool batch_open() {
    return count_or_unknown(
               "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dgkafka load%' "
               "AND xact_start IS NOT NULL") > 0;
}

void expect_exact(const Job& job, int64_t n) {
    const auto t = dgtest::quoted(job.table);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + t), n);
    EXPECT_EQ(citus_count("SELECT count(DISTINCT id) FROM " + t), n);
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), n);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
    EXPECT_TRUE(wait_until([] { return all_nodes_prepared_xacts() == 0; }, 90s)) << all_nodes_prepared_xacts();
}
}  // namespace

namespace {
void expect_worker_kill_waited_for(const Job& job) {
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", path});
    const auto count = [&] { return count_or_unknown("SELECT count(*) FROM " + dgtest::quoted(job.table)); };
    produce_round_robin(job.topic, numbered_rows(5000, 1), 2);
    ASSERT_TRUE(wait_until(batch_open, 60s));
    citus_node("kill", "worker1");  // immediate: its backends, and the shards' COPYs, gone
    // Rows for the open batch: its COPY sends them on to the killed worker's shards.
    produce_round_robin(job.topic, numbered_rows(2000, 5001), 2);
    const bool retried =
        wait_until([&] { return load.exited() || read(load.err_file).find("retrying") != std::string::npos; }, 60s);
    citus_node("start", "worker1");
    EXPECT_TRUE(retried && !load.exited()) << read(load.err_file).substr(0, 3000);
    EXPECT_TRUE(wait_until([&] { return load.exited() || count() == 7000; }, 120s) && !load.exited()) << count();
    produce_round_robin(job.topic, numbered_rows(3000, 7001), 2);
    EXPECT_TRUE(wait_until([&] { return load.exited() || count() == 10000; }, 120s) && !load.exited()) << count();
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    expect_exact(job, 10000);
}
}  // namespace

TEST(CitusNodeOutage, AWorkerKilledMidBatchIsWaitedForAndTheLoadEndsExact) {
    REQUIRE_CITUS_SANDBOX();
    expect_worker_kill_waited_for(open_batch_job("citus_kill_worker", 10));
}

// A reference table is written on every node: a batch cannot commit without the killed one.
TEST(CitusNodeOutage, AWorkerKilledMidBatchIntoAReferenceTableIsWaitedFor) {
    REQUIRE_CITUS_SANDBOX();
    expect_worker_kill_waited_for(open_batch_job("citus_kill_worker_ref", 10, true));
}

TEST(CitusNodeOutage, TheCoordinatorRestartedMidBatchIsWaitedForAndTheLoadEndsExact) {
    REQUIRE_CITUS_SANDBOX();
    auto job = open_batch_job("citus_restart_coord", 3);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", path});
    const auto count = [&] { return count_or_unknown("SELECT count(*) FROM " + dgtest::quoted(job.table)); };
    produce_round_robin(job.topic, numbered_rows(5000, 1), 2);
    ASSERT_TRUE(wait_until(batch_open, 60s));
    citus_node("restart", "coordinator");  // immediate: every session of the loaders gone
    EXPECT_TRUE(wait_until([&] { return count() == 5000; }, 120s)) << count();
    produce_round_robin(job.topic, numbered_rows(5000, 5001), 2);
    EXPECT_TRUE(wait_until([&] { return count() == 10000; }, 120s)) << count();
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    expect_exact(job, 10000);
}

// Messages of about a megabyte (under librdkafka's default message.max.bytes, 1,000,000) into a
// distributed table, straight and through mappings, in two runs (the sandbox's broker keeps about
// 5 MB a partition).
TEST(CitusLargeMessages, OneMegabyteMessagesLoadWhole) {
    REQUIRE_CITUS();
    for (const bool mapped : {false, true}) {
        Job job(mapped ? "citus_large_mapped" : "citus_large");
        job.database = citus_database_settings();
        job.delimiter = ",";
        job.columns = {{"id", "integer"}, {"body", "text"}};
        if (mapped) job.mappings = {{"id", "id"}, {"body", "upper(body)"}};
        job.max_row = 3;
        // Message 5 (body "fff...", "FFF..." mapped) is refused: a megabyte into the rejects.
        citus_sql("CREATE TABLE " + dgtest::quoted(job.table) +
                  " (id integer PRIMARY KEY, body text CHECK (lower(left(body, 1)) <> 'f'))");
        citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 4)");
        create_topic(job.topic, 2);
        const auto path = job.write();
        ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
        for (int first : {1, 9}) {
            std::vector<std::string> values;
            for (int i = first; i < first + 8; ++i)
                values.push_back(std::to_string(i) + "," + std::string(990000, static_cast<char>('a' + i)));
            produce_round_robin(job.topic, values, 2);
            const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
            EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
        }
        const auto t = dgtest::quoted(job.table);
        EXPECT_EQ(citus_count("SELECT count(*) FROM " + t + " WHERE body = repeat(" +
                              (mapped ? "upper(chr(97 + id))" : "chr(97 + id)") + ", 990000)"),
                  15)
            << mapped;
        EXPECT_EQ(citus_count("SELECT count(*) FROM " + t), 15) << mapped;
        EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 16);
        EXPECT_EQ(citus_value("SELECT sqlstate || ' ' || length(value) FROM " + dgtest::quoted(job.table + "_rejects")),
                  "23514 990002")
            << mapped;
    }
}

namespace {
// "id,name" rows into a table distributed by id, some with no id at all.
Job null_key_job(const std::string& name, bool mapped) {
    Job job(name);
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    if (mapped) job.mappings = {{"id", "id"}, {"name", "upper(name)"}};
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 4)");
    create_topic(job.topic, 1);
    std::vector<std::string> values;
    for (int i = 1; i <= 1000; ++i)
        values.push_back((i % 100 == 7 ? "" : std::to_string(i)) + ",n" + std::to_string(i));
    produce_round_robin(job.topic, values, 1);
    return job;
}

void expect_null_keys_rejected(const Job& job) {
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 990);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 10);
    EXPECT_EQ(citus_value("SELECT string_agg(DISTINCT coalesce(sqlstate, '-'), ',') FROM " +
                          dgtest::quoted(job.table + "_rejects")),
              "22004");  // null_value_not_allowed: "the partition column of table ... cannot be NULL"
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 1000);
}
}  // namespace

// A message without the distribution column's value (a JSON event missing its site_id): Citus
// cannot place the row; it is rejected, and the rest loads.
TEST(CitusRefusedRowsOfEveryKind, ARowWithoutADistributionValueByCopy) {
    REQUIRE_CITUS();
    expect_null_keys_rejected(null_key_job("citus_nullkey", false));
}

TEST(CitusRefusedRowsOfEveryKind, ARowWithoutADistributionValueThroughMappings) {
    REQUIRE_CITUS();
    expect_null_keys_rejected(null_key_job("citus_nullkey_mapped", true));
}

namespace {
// "id,name" rows into a distributed table whose CHECK refuses the names `refused` picks.
Job checked_job(const std::string& name, const std::string& check) {
    Job job(name);
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text CHECK (" + check + "))");
    citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 8)");
    create_topic(job.topic, 1);
    return job;
}
}  // namespace

// The output table refuses every row (the table, not the data, is wrong): as on PostgreSQL, the
// load stops within seconds with exit 6 and commits nothing, rejects nothing.
TEST(CitusRefusedRowsOfEveryKind, ATableRefusingEveryRowStopsTheLoad) {
    REQUIRE_CITUS();
    auto job = checked_job("citus_job_wrong", "name LIKE 'x%'");
    produce_round_robin(job.topic, numbered_rows(2000, 1), 1);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 6) << r.err.substr(0, 3000);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 0);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
    EXPECT_EQ(citus_count("SELECT coalesce(sum(committed_offset), 0) FROM " + dgtest::quoted(job.table + "_offset")),
              0);
}

// error_limit counts a shard's refusals as on PostgreSQL: the batch passing the limit is not
// committed, exit 6.
TEST(CitusRefusedRowsOfEveryKind, ErrorLimitCountsAShardsRefusals) {
    REQUIRE_CITUS();
    auto job = checked_job("citus_error_limit", "name NOT LIKE '%7'");  // every id ending in 7
    job.max_row = 100;
    job.output_extra = "error_limit = 25\n";
    produce_round_robin(job.topic, numbered_rows(1000, 1), 1);  // 10 refused a batch
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 6) << r.err.substr(0, 3000);
    // Two batches committed (20 rejects); the third would pass 25.
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 180);
    EXPECT_EQ(citus_value("SELECT string_agg(DISTINCT sqlstate, ',') || ' ' || count(*) FROM " +
                          dgtest::quoted(job.table + "_rejects")),
              "23514 20");
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 200);
}

// A worker down longer than retry_timeout ends a -quit-at-eof run (exit 4) without loading or
// losing anything; the next run, the worker back, loads everything once.
TEST(CitusNodeOutage, AWorkerDownLongerThanRetryTimeoutEndsTheRunLosingNothing) {
    REQUIRE_CITUS_SANDBOX();
    auto job = open_batch_job("citus_worker_down", -1);
    job.max_row = 500;
    job.extra = "retry_timeout = 5\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    produce_round_robin(job.topic, numbered_rows(3000, 1), 2);
    citus_node("stop", "worker2");
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    citus_node("start", "worker2");
    EXPECT_EQ(r.code, 4) << r.err.substr(0, 3000);
    EXPECT_EQ(citus_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 0);
    const auto again = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(again.code, 0) << again.err.substr(0, 3000);
    expect_exact(job, 3000);
}

// The way to Citus from one machine: a table loaded while plain on the coordinator, distributed
// with create_distributed_table while the load runs. Rows a shard refuses afterwards are rejected
// with their SQLSTATE as if the table had been distributed from the start.
TEST(CitusTableKind, ATableDistributedWhileTheLoadRunsRejectsAShardsRefusals) {
    REQUIRE_CITUS();
    SKIP_KNOWN(
        "the load reads the output table's kind once, at start: distributed later, a shard's refusal (XX000) "
        "is judged as from a plain table, and the load exits 4 at the first refused row; a restart reads "
        "the new kind");
    auto job = Job("citus_distributed_live");
    job.database = citus_database_settings();
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    job.max_row = 200;
    citus_sql("CREATE TABLE " + dgtest::quoted(job.table) +
              " (id integer PRIMARY KEY, name text CHECK (name <> 'bad'))");
    create_topic(job.topic, 1);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", path});
    const auto count = [&] { return count_or_unknown("SELECT count(*) FROM " + dgtest::quoted(job.table)); };
    produce_round_robin(job.topic, numbered_rows(1000, 1), 1);
    ASSERT_TRUE(wait_until([&] { return count() == 1000; }, 60s));
    citus_sql("SELECT create_distributed_table('" + dgtest::quoted(job.table) + "', 'id', shard_count := 8)");
    auto more = numbered_rows(1000, 1001);
    more[10] = "1011,bad";
    more[500] = "1501,bad";
    produce_round_robin(job.topic, more, 1);
    wait_until([&] { return count() == 1998 || load.exited(); }, 60s);
    const bool loaded = count() == 1998;
    kill(load.pid, SIGTERM);
    const auto r = load.wait();
    EXPECT_TRUE(loaded) << count();
    EXPECT_EQ(r.code, 0) << r.err.substr(0, 3000);
    EXPECT_EQ(
        citus_value("SELECT string_agg(\"offset\" || ' ' || coalesce(sqlstate, '-'), ',' ORDER BY \"offset\") FROM " +
                    dgtest::quoted(job.table + "_rejects")),
        "1010 23514,1500 23514");
    EXPECT_EQ(citus_count("SELECT sum(committed_offset) FROM " + dgtest::quoted(job.table + "_offset")), 2000);
}
