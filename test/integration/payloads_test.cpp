// Real-world payloads: fields to columns without mappings, Debezium change events, tombstones that
// delete, and message headers (_headers).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using nlohmann::json;

namespace {

std::string rows(const std::string& table, const std::string& columns) {
    return sql_value("SELECT string_agg(concat_ws('|', " + columns + "), ',' ORDER BY id) FROM " + dgtest::quoted(table));
}

// A source table changed at random, as Debezium's PostgreSQL connector reports it: keyed by the
// primary key ({"id": N}), creates, updates, deletes (with the key-only `before` of REPLICA
// IDENTITY DEFAULT) each followed by a tombstone, and snapshot reads. Returns the final state.
struct Cdc {
    std::vector<Record> records;
    std::map<int, std::pair<std::string, int>> state;  // id -> name, qty
};

json with_schema(const json& payload, const json& schema) { return {{"schema", schema}, {"payload", payload}}; }

Cdc debezium_events(bool schemas, int partitions, unsigned seed) {
    Cdc cdc;
    std::mt19937 rng(seed);
    const json key_schema = {{"type", "struct"}, {"name", "dbserver1.inventory.customers.Key"}, {"optional", false},
                             {"fields", json::array({{{"type", "int32"}, {"optional", false}, {"field", "id"}}})}};
    const json row_fields = json::array({{{"type", "int32"}, {"optional", false}, {"field", "id"}},
                                         {{"type", "string"}, {"optional", true}, {"field", "name"}},
                                         {{"type", "int32"}, {"optional", true}, {"field", "qty"}}});
    const json value_schema = {
        {"type", "struct"}, {"name", "dbserver1.inventory.customers.Envelope"}, {"optional", false},
        {"fields", json::array({{{"type", "struct"}, {"fields", row_fields}, {"optional", true}, {"field", "before"}},
                                {{"type", "struct"}, {"fields", row_fields}, {"optional", true}, {"field", "after"}},
                                {{"type", "struct"}, {"fields", json::array()}, {"optional", false}, {"field", "source"}},
                                {{"type", "string"}, {"optional", false}, {"field", "op"}},
                                {{"type", "int64"}, {"optional", true}, {"field", "ts_ms"}}})}};
    const auto emit = [&](int id, const std::string& op, const json& before, const json& after) {
        json key = {{"id", id}};
        json value = {{"before", before}, {"after", after},
                      {"source", {{"version", "2.1.2.Final"}, {"connector", "postgresql"}, {"name", "dbserver1"},
                                  {"db", "postgres"}, {"schema", "inventory"}, {"table", "customers"},
                                  {"snapshot", op == "r" ? "true" : "false"}, {"lsn", 24023128 + cdc.records.size()}}},
                      {"op", op}, {"ts_ms", 1559033904863 + static_cast<int64_t>(cdc.records.size())}};
        if (schemas) {
            key = with_schema(key, key_schema);
            value = with_schema(value, value_schema);
        }
        cdc.records.push_back({value.dump(), key.dump(), id % partitions});
        if (op == "d") cdc.records.push_back({"", key.dump(), id % partitions, true});  // the tombstone after it
    };
    const auto row = [](int id, const std::string& name, int qty) { return json{{"id", id}, {"name", name}, {"qty", qty}}; };
    for (int id = 1; id <= 5; ++id) {  // the initial snapshot
        cdc.state[id] = {"snap " + std::to_string(id), id};
        emit(id, "r", nullptr, row(id, cdc.state[id].first, id));
    }
    for (int i = 0; i < 300; ++i) {
        const int id = 1 + static_cast<int>(rng() % 20);
        const auto it = cdc.state.find(id);
        const std::string name = "n" + std::to_string(i) + (i % 7 == 0 ? " Ünïcødé" : "");
        if (it == cdc.state.end()) {
            cdc.state[id] = {name, i};
            emit(id, "c", nullptr, row(id, name, i));
        } else if (rng() % 3 == 0) {
            emit(id, "d", json{{"id", id}, {"name", nullptr}, {"qty", nullptr}}, nullptr);
            cdc.state.erase(it);
        } else {
            const json before = row(id, it->second.first, it->second.second);
            it->second = {name, i};
            emit(id, "u", before, row(id, name, i));
        }
    }
    return cdc;
}

std::string expected_rows(const Cdc& cdc) {
    std::string out;
    for (const auto& [id, v] : cdc.state)
        out += (out.empty() ? "" : ",") + std::to_string(id) + "|" + v.first + "|" + std::to_string(v.second);
    return out;
}

void load_cdc(bool schemas, bool mappings) {
    Job job(schemas ? "dbz_schema" : "dbz_plain");
    job.format = "json";
    job.max_row = 17;  // many batches, and keys repeated within each
    job.input_extra = "envelope = \"debezium\"\n";
    if (mappings) job.mappings = {{"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}, {"qty", "(jdata->>'qty')::int"}};
    const auto cdc = debezium_events(schemas, 3, schemas ? 7 : 11);
    create_topic(job.topic, 3);
    produce(job.topic, cdc.records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int PRIMARY KEY, name text, qty int)");
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table, "id, name, qty"), expected_rows(cdc));
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
}

}  // namespace

TEST(FieldsToColumns, JsonFieldsGoIntoTheColumnsOfTheirNamesCastByPostgres) {
    Job job("fields");
    job.format = "json";
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1, "name": "a", "at": "2024-01-02T03:04:05Z", "tags": ["x"], "extra": 5})"},
                        {R"({"id": 2, "price": 1.50, "ok": true})"},
                        {R"({"id": "three"})"}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) +
        " (id int, name text, at timestamptz, tags jsonb, price numeric, ok boolean, gen int GENERATED ALWAYS AS (id * 2) STORED)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-v", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SET TimeZone = 'UTC'; SELECT string_agg(concat_ws('|', id, coalesce(name, '-'), coalesce(at::text, '-'), "
                        "coalesce(tags::text, '-'), coalesce(price::text, '-'), coalesce(ok::text, '-'), gen), ',' ORDER BY id) FROM " +
                        dgtest::quoted(job.table)),
              "1|a|2024-01-02 03:04:05+00|[\"x\"]|-|-|2,2|-|-|-|1.50|true|4");
    EXPECT_NE(sql_value("SELECT error FROM " + dgtest::quoted(job.table + "_rejects")).find("invalid input syntax for type integer"),
              std::string::npos);
    EXPECT_NE(r.err.find("fields to columns of"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("field \"extra\" has no column"), std::string::npos) << r.err;
}

// A value longer than its column is refused, never cut (an explicit cast to varchar(5), char(3)
// or bit(4) would cut or pad it), with fields to columns and with mappings alike; identity and
// serial columns are the database's to fill.
TEST(FieldsToColumns, ValuesTooLongForTheirColumnAreRejectedNotCut) {
    const std::string ddl = " (rid bigint GENERATED ALWAYS AS IDENTITY, sid bigserial, id int, s varchar(5), c char(3), b bit(4))";
    const std::vector<Record> messages = {{R"({"id": 1, "s": "abc", "c": "xy", "b": "1010"})"},
                                          {R"({"id": 2, "s": "abcdefgh"})"},
                                          {R"({"id": 3, "c": "abcdef"})"},
                                          {R"({"id": 4, "b": "101"})"}};
    Job fields("toolong");
    fields.format = "json";
    Job mapped("toolong_m");
    mapped.format = "json";
    for (const char* c : {"id", "s", "c", "b"}) mapped.mappings.push_back({c, std::string("jdata->>'") + c + "'"});
    for (const Job* job : {&fields, &mapped}) {
        create_topic(job->topic, 1);
        produce(job->topic, messages);
        sql("CREATE TABLE " + dgtest::quoted(job->table) + ddl);
        const auto path = job->write();
        ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
        const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
        ASSERT_EQ(r.code, 0) << r.err;
        // (The numbers themselves: whatever the sequences gave, refused attempts included.)
        EXPECT_EQ(sql_value("SELECT string_agg(concat_ws('|', rid > 0 AND sid > 0, id, s, c, b), ',') FROM " +
                            dgtest::quoted(job->table)),
                  "t|1|abc|xy |1010")
            << job->table;
        EXPECT_EQ(sql_value("SELECT string_agg(\"offset\" || ' ' || sqlstate, ',' ORDER BY \"offset\") FROM " +
                            dgtest::quoted(job->table + "_rejects")),
                  "1 22001,2 22001,3 22026")
            << job->table;
    }
}

TEST(Debezium, JsonWithSchemasEqualsTheSourcesFinalState) { load_cdc(true, false); }
TEST(Debezium, JsonWithoutSchemasThroughMappingsEqualsTheSourcesFinalState) { load_cdc(false, true); }

TEST(Debezium, NeedsMergeModeWithMatchColumns) {
    Job job("dbz_cfg");
    job.format = "json";
    job.input_extra = "envelope = \"debezium\"\n";
    const auto path = job.write();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find(path + ":"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("kafka.input.envelope = \"debezium\" needs mode = \"merge\" with match_columns"), std::string::npos)
        << r.err;
}

TEST(Tombstones, DeleteTheRowOfTheirKeyObjectOrBareKey) {
    for (const bool bare : {false, true}) {
        Job job(bare ? "tomb_bare" : "tomb_obj");
        job.format = "json";
        job.mappings = {{"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}};
        create_topic(job.topic, 1);
        const auto key = [&](int id) { return bare ? std::to_string(id) : "{\"id\": " + std::to_string(id) + "}"; };
        produce(job.topic, {{R"({"id": 1, "name": "a"})", key(1)},
                            {R"({"id": 2, "name": "b"})", key(2)},
                            {"", key(1), -1, true},
                            {R"({"id": 3, "name": "c"})", key(3)},
                            {"", key(3), -1, true},
                            {R"({"id": 3, "name": "c again"})", key(3)},
                            {"", std::nullopt, -1, true}});
        sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int PRIMARY KEY, name text)");
        job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\ndelete_on_tombstone = true\n";
        const auto path = job.write();
        ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
        const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(rows(job.table, "id, name"), "2|b,3|c again") << (bare ? "bare keys" : "object keys");
        EXPECT_EQ(sql_value("SELECT \"offset\" || ': ' || error FROM " + dgtest::quoted(job.table + "_rejects")),
                  "6: a tombstone without a key: no row to delete");
    }
}

TEST(Headers, ReadableInMappingsAndTheFilterAsAJsonbObject) {
    Job job("headers");
    job.format = "json";
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"src", "_headers->>'source'"}, {"headers", "_headers"}};
    job.filter = "_headers->>'skip' IS NULL";
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1})", std::nullopt, -1, false, {{"source", "web"}, {"trace", "abc"}, {"source", "app"}}},
                        {R"({"id": 2})", std::nullopt, -1, false, {{"bin", std::string("\xff\x00\x01", 3)}, {"ü", "日本"}}},
                        {R"({"id": 3})", std::nullopt, -1, false, {{"skip", "yes"}}},
                        {R"({"id": 4})"}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int, src text, headers jsonb)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job.table, "id, coalesce(src, '-'), headers"),
              "1|app|{\"trace\": \"abc\", \"source\": \"app\"},2|-|{\"ü\": \"日本\", \"bin\": \"\\\\xff0001\"},4|-|{}");
}
