// kafka.output.evolve while a load streams: an independent producer (test/data/evolving_orders.py,
// Debian's python3-avro) registers a version that adds a field while `dgkafka load` runs, without
// -quit-at-eof; the load adds the column, records it in the history, and loads the field from the
// first message of that version on. Every message of both versions is loaded; nothing is restarted.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/table_follow.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;

namespace {

// Registers `version` of the job's value schema and writes orders first .. first+count-1 of it,
// spread over the topic's partitions.
void produce_orders(const Job& job, int version, int first, int count, int partitions) {
    const std::string out =
        shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) + "/test/data/evolving_orders.py " +
              sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic + "-value " + std::to_string(version) + " " +
              std::to_string(first) + " " + std::to_string(count));
    std::vector<Record> records;
    size_t start = 0;
    for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
        std::string value;
        for (size_t i = start; i + 1 < end; i += 2)
            value += static_cast<char>(std::stoi(out.substr(i, 2), nullptr, 16));
        records.push_back({value, std::nullopt, static_cast<int32_t>(records.size() % partitions)});
    }
    produce(job.topic, records);
}

Job evolving_job(const std::string& name) {
    Job job(name);
    job.format = "avro";
    job.input_extra = "schema_registry = " + toml_string(sandbox().at("SCHEMA_REGISTRY_URL")) + "\n";
    job.output_extra = "create_table = true\nevolve = true\n";
    job.minimal_interval = 0.2;  // batches of a fifth of a second: the new version meets a streaming load
    return job;
}

int64_t rows(const Job& job, const std::string& where = "true") {
    return sql_count("SELECT count(*) FROM " + quoted(job.table) + " WHERE " + where);
}

// The column the version added, as the catalog has it, and each change the history recorded.
void expect_evolved(const Job& job, int64_t v2_orders) {
    EXPECT_EQ(sql_value("SELECT data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_name = '" +
                        job.table + "' AND column_name = 'coupon'"),
              "text YES");
    EXPECT_EQ(rows(job, "coupon = 'C' || id"), v2_orders) << "every version-2 order's coupon";
    EXPECT_EQ(rows(job, "coupon IS NULL"), rows(job) - v2_orders) << "version-1 orders have none";
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + quoted(job.table + "_history") +
                        " WHERE partition_number = -1 AND event LIKE 'add-column \"coupon\" text from schema id %'"),
              1)
        << "added and recorded once, whoever met the version first";
    EXPECT_EQ(rows(job), sql_count("SELECT count(DISTINCT id) FROM " + quoted(job.table))) << "no order twice";
}

// A streaming load stopped as a user would, for its output.
Result stop(Spawned& load) {
    ::kill(load.pid, SIGTERM);
    return load.wait();
}

}  // namespace

TEST(SchemaEvolution, AVersionRegisteredWhileALoadStreamsAddsItsColumnAndLoadsItsFieldFromThenOn) {
    const auto job = evolving_job("evolve_stream");
    create_topic(job.topic, 2);
    produce_orders(job, 1, 1, 6, 2);
    const auto path = job.write();
    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(sql_count("SELECT count(*) FROM information_schema.columns WHERE table_name = '" + job.table +
                        "' AND column_name = 'coupon'"),
              0);

    auto load = spawn("dgkafka", {"load", "-v", "-loaders", "2", path});  // one loader per partition
    ASSERT_TRUE(wait_until([&] { return rows(job) == 6; }, std::chrono::seconds(60))) << stop(load).err;

    produce_orders(job, 2, 7, 10, 2);  // both loaders meet the new version
    produce_orders(job, 1, 17, 4, 2);  // and a producer still on version 1
    ASSERT_TRUE(wait_until([&] { return rows(job) == 20; }, std::chrono::seconds(60))) << stop(load).err;

    r = stop(load);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("LOAD 20 rows from 20 messages"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("evolved: "), std::string::npos) << r.err;
    expect_evolved(job, 10);
}

TEST(SchemaEvolution, ProcessesInGroupModeMeetingTheVersionAtOnceAddTheColumnOnce) {
    auto job = evolving_job("evolve_group");
    job.input_extra += "assignment = \"group\"\n";
    create_topic(job.topic, 4);
    produce_orders(job, 1, 1, 8, 4);
    const auto path = job.write();
    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;

    auto first = spawn("dgkafka", {"load", "-loaders", "2", path});
    auto second = spawn("dgkafka", {"load", "-loaders", "2", path});
    ASSERT_TRUE(wait_until([&] { return rows(job) == 8; }, std::chrono::seconds(90)))
        << stop(first).err << stop(second).err;

    produce_orders(job, 2, 9, 16, 4);
    produce_orders(job, 1, 25, 4, 4);
    ASSERT_TRUE(wait_until([&] { return rows(job) == 28; }, std::chrono::seconds(90)))
        << stop(first).err << stop(second).err;

    ::kill(second.pid, SIGTERM);
    r = stop(first);
    EXPECT_EQ(r.code, 0) << r.err;
    const auto r2 = second.wait();
    EXPECT_EQ(r2.code, 0) << r2.err;
    expect_evolved(job, 16);
}

// A field no column can be made for (a system column's name, a name past 63 bytes) is left out,
// saying why, and the other new fields get theirs: the load goes on.
TEST(SchemaEvolution, FieldsNoColumnCanBeMadeForAreLeftOutSayingWhy) {
    Job job("evolve_names");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto cfg = dgkafka::parse_config(job.toml(), path);
    cfg.evolve = true;
    const std::string long_name(64, 'a');
    auto conn = db();
    pqxx::work tx(*conn);
    const auto followed = dgkafka::db::follow_schema(
        tx, cfg, {{"id", "integer"}, {"ctid", "text"}, {long_name, "text"}, {"coupon", "text"}}, {}, "schema id 9");
    tx.commit();
    EXPECT_EQ(followed.added, std::vector<std::string>{"\"coupon\" text"});
    ASSERT_EQ(followed.unusable.size(), 2u);
    EXPECT_EQ(followed.unusable[0], "field \"ctid\": a system column's name");
    EXPECT_EQ(followed.unusable[1], "field \"" + long_name + "\": longer than PostgreSQL's 63 bytes");
    EXPECT_EQ(sql_value("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                        "WHERE table_name = '" +
                        job.table + "'"),
              "id,coupon");
}
