// Real-world payloads: fields to columns without mappings, Debezium change events, tombstones that
// delete, message keys that are not text, and message headers (_headers).
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
    return sql_value("SELECT string_agg(concat_ws('|', " + columns + "), ',' ORDER BY id) FROM " +
                     dgtest::quoted(table));
}

// "offset|error" of every reject, in offset order.
std::string rejects(const Job& job) {
    return sql_value("SELECT string_agg(\"offset\" || '|' || error, ',' ORDER BY \"offset\") FROM " +
                     dgtest::quoted(job.table + "_rejects") + " WHERE topic = '" + job.topic +
                     "' AND partition_number = 0");
}

Result setup_and_load(const std::string& path) {
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", path});
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
    const json key_schema = {{"type", "struct"},
                             {"name", "dbserver1.inventory.customers.Key"},
                             {"optional", false},
                             {"fields", json::array({{{"type", "int32"}, {"optional", false}, {"field", "id"}}})}};
    const json row_fields = json::array({{{"type", "int32"}, {"optional", false}, {"field", "id"}},
                                         {{"type", "string"}, {"optional", true}, {"field", "name"}},
                                         {{"type", "int32"}, {"optional", true}, {"field", "qty"}}});
    const json value_schema = {
        {"type", "struct"},
        {"name", "dbserver1.inventory.customers.Envelope"},
        {"optional", false},
        {"fields",
         json::array({{{"type", "struct"}, {"fields", row_fields}, {"optional", true}, {"field", "before"}},
                      {{"type", "struct"}, {"fields", row_fields}, {"optional", true}, {"field", "after"}},
                      {{"type", "struct"}, {"fields", json::array()}, {"optional", false}, {"field", "source"}},
                      {{"type", "string"}, {"optional", false}, {"field", "op"}},
                      {{"type", "int64"}, {"optional", true}, {"field", "ts_ms"}}})}};
    const auto emit = [&](int id, const std::string& op, const json& before, const json& after) {
        json key = {{"id", id}};
        json value = {{"before", before},
                      {"after", after},
                      {"source",
                       {{"version", "2.1.2.Final"},
                        {"connector", "postgresql"},
                        {"name", "dbserver1"},
                        {"db", "postgres"},
                        {"schema", "inventory"},
                        {"table", "customers"},
                        {"snapshot", op == "r" ? "true" : "false"},
                        {"lsn", 24023128 + cdc.records.size()}}},
                      {"op", op},
                      {"ts_ms", 1559033904863 + static_cast<int64_t>(cdc.records.size())}};
        if (schemas) {
            key = with_schema(key, key_schema);
            value = with_schema(value, value_schema);
        }
        cdc.records.push_back({value.dump(), key.dump(), id % partitions});
        if (op == "d") cdc.records.push_back({"", key.dump(), id % partitions, true});  // the tombstone after it
    };
    const auto row = [](int id, const std::string& name, int qty) {
        return json{{"id", id}, {"name", name}, {"qty", qty}};
    };
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
    if (mappings)
        job.mappings = {{"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}, {"qty", "(jdata->>'qty')::int"}};
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
        " (id int, name text, at timestamptz, tags jsonb, price numeric, ok boolean, gen int GENERATED ALWAYS AS (id * "
        "2) STORED)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-v", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(
        sql_value(
            "SET TimeZone = 'UTC'; SELECT string_agg(concat_ws('|', id, coalesce(name, '-'), coalesce(at::text, '-'), "
            "coalesce(tags::text, '-'), coalesce(price::text, '-'), coalesce(ok::text, '-'), gen), ',' ORDER BY id) "
            "FROM " +
            dgtest::quoted(job.table)),
        "1|a|2024-01-02 03:04:05+00|[\"x\"]|-|-|2,2|-|-|-|1.50|true|4");
    EXPECT_NE(sql_value("SELECT error FROM " + dgtest::quoted(job.table + "_rejects"))
                  .find("invalid input syntax for type integer"),
              std::string::npos);
    EXPECT_NE(r.err.find("fields to columns of"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("field \"extra\" has no column"), std::string::npos) << r.err;
}

// A value longer than its column is refused, never cut (an explicit cast to varchar(5), char(3)
// or bit(4) would cut or pad it), with fields to columns and with mappings alike; identity and
// serial columns are the database's to fill.
TEST(FieldsToColumns, ValuesTooLongForTheirColumnAreRejectedNotCut) {
    const std::string ddl =
        " (rid bigint GENERATED ALWAYS AS IDENTITY, sid bigserial, id int, s varchar(5), c char(3), b bit(4))";
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

// Without mappings, a json/jsonb column gets the member's JSON: a string stays a string.
TEST(FieldsToColumns, JsonStringMembersStayJsonStringsInJsonColumns) {
    for (const std::string input_type : {"json", "jsonb"}) {
        Job job("jsonmember" + input_type);
        job.format = "json";
        job.columns = {{"jdata", input_type}};
        create_topic(job.topic, 1);
        produce(job.topic, {{R"({"id": 1, "jb": "123", "j": "abc", "t": "x"})"},
                            {R"({"id": 2, "jb": "true", "j": [1,  2], "t": 5})"},
                            {R"({"id": 3, "jb": {"a": 1}, "j": null, "t": null})"},
                            {R"({"id": 4, "jb": 1.50, "j": "[1,2]"})"}});
        sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id bigint, jb jsonb, j json, t text)");
        const auto r = setup_and_load(job.write());
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out.rfind("LOAD 4 rows from 4 messages", 0), 0u) << r.out;
        EXPECT_EQ(sql_value("SELECT string_agg(concat_ws('|', id, coalesce(jb::text, '-'), "
                            "coalesce(j::text, '-'), "
                            "coalesce(t, '-')), ',' ORDER BY id) FROM " +
                            dgtest::quoted(job.table)),
                  input_type == "json" ? R"(1|"123"|"abc"|x,2|"true"|[1,  2]|5,3|{"a": 1}|-|-,4|1.50|"[1,2]"|-)"
                                       : R"(1|"123"|"abc"|x,2|"true"|[1, 2]|5,3|{"a": 1}|-|-,4|1.50|"[1,2]"|-)")
            << input_type;
        EXPECT_EQ(sql_value("SELECT jsonb_typeof(jb) FROM " + dgtest::quoted(job.table) + " WHERE id = 1"), "string");
    }
}

// Without mappings, a document that is not an object is rejected, not loaded as NULLs.
TEST(FieldsToColumns, RejectDocumentsThatAreNotObjects) {
    Job job("notobject");
    job.format = "json";
    create_topic(job.topic, 1);
    produce(job.topic, {{"[1,2,3]"}, {"\"just a string\""}, {"null"}, {R"({"id": 7, "name": "ok"})"}, {"[1,"}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id bigint, name text)");
    const auto r = setup_and_load(job.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 1 rows from 5 messages in 1 batches, 4 rejected", 0), 0u) << r.out;
    EXPECT_EQ(sql_value("SELECT string_agg(id || name, ',') FROM " + dgtest::quoted(job.table)), "7ok");
    const std::string why = "not a JSON object: without mappings, fields go to the columns of their names";
    EXPECT_EQ(rejects(job), "0|" + why + ",1|" + why + ",2|" + why + ",4|invalid JSON");

    // With mappings, ->> keeps PostgreSQL's meaning: an array's member is NULL.
    Job mapped("notobject_m");
    mapped.format = "json";
    mapped.mappings = {{"id", "(jdata->>'id')::bigint"}, {"name", "jdata->>'name'"}};
    create_topic(mapped.topic, 1);
    produce(mapped.topic, {{"[1,2,3]"}, {R"({"id": 7, "name": "ok"})"}});
    sql("CREATE TABLE " + dgtest::quoted(mapped.table) + " (id bigint, name text)");
    const auto m = setup_and_load(mapped.write());
    ASSERT_EQ(m.code, 0) << m.err;
    EXPECT_EQ(sql_value("SELECT string_agg(coalesce(id::text, '-') || coalesce(name, '-'), ',' "
                        "ORDER BY id) FROM " +
                        dgtest::quoted(mapped.table)),
              "7ok,--");
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
    EXPECT_NE(r.err.find("kafka.input.envelope = \"debezium\" needs mode = \"merge\" with match_columns"),
              std::string::npos)
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
    produce(job.topic,
            {{R"({"id": 1})", std::nullopt, -1, false, {{"source", "web"}, {"trace", "abc"}, {"source", "app"}}},
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

// format = "binary": a tombstone is NULL, an empty message the empty bytea.
TEST(Tombstones, AreNullInFormatBinary) {
    Job job("binnull");
    job.format = "binary";
    create_topic(job.topic, 1);
    produce(job.topic,
            {{"", std::string("k"), 0, true}, {"", std::nullopt, 0}, {std::string("\x01\x00", 2), std::nullopt, 0}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (bdata bytea)");
    const auto r = setup_and_load(job.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(coalesce(encode(bdata, 'hex'), 'NULL'), ',' ORDER BY "
                        "bdata NULLS FIRST) FROM " +
                        dgtest::quoted(job.table)),
              "NULL,,0100");
}

// A tombstone the database refuses (its key is no integer) keeps value NULL in its reject, like
// a keyless one, not '' (0 bytes).
TEST(Tombstones, ARefusedOneKeepsItsValueNullInItsReject) {
    Job job("refusedtomb");
    job.format = "json";
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}};
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1, "name": "a"})", std::string("1")},
                        {"", std::string("x"), 0, true},
                        {"", std::nullopt, 0, true}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int PRIMARY KEY, name text)");
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\ndelete_on_tombstone = true\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(\"offset\" || ':' || coalesce(encode(key, 'escape'), 'NULL') || ':' || "
                        "coalesce(encode(value, 'hex'), 'NULL'), ',' ORDER BY \"offset\") FROM " +
                        dgtest::quoted(job.table + "_rejects")),
              "1:x:NULL,2:NULL:NULL");
}

// A key that is not UTF-8 text rejects a message only when a mapping or the filter reads _key.
TEST(Keys, ThatAreNotTextRejectOnlyWhenKeyIsRead) {
    const std::string bytes_key("\x00\x80\xff", 3);
    const std::string long_key("\x00\x00\x00\x00\x00\x00\x00\xff",
                               8);  // Kafka's LongSerializer, 255
    const auto load = [&](Job& job, const std::vector<std::string>& values, const std::string& ddl) {
        create_topic(job.topic, 1);
        std::vector<Record> records;
        for (size_t i = 0; i < values.size(); ++i) records.push_back({values[i], i % 2 ? long_key : bytes_key, 0});
        produce(job.topic, records);
        sql("CREATE TABLE " + dgtest::quoted(job.table) + ddl);
        return setup_and_load(job.write());
    };
    Job fields("rawkey_f");  // json, fields to columns
    fields.format = "json";
    auto r = load(fields, {R"({"id": 1})", R"({"id": 2, "name": "b"})"}, " (id bigint, name text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 2 rows from 2 messages in 1 batches, 0 rejected", 0), 0u) << r.out;

    Job csv("rawkey_c");  // csv through mappings that do not read the key
    csv.delimiter = ",";
    csv.columns = {{"id", "bigint"}, {"name", "text"}};
    csv.mappings = {{"id", "id * 10"}, {"name", "upper(name)"}, {"k", "encode(_key_bytes, 'hex')"}};
    r = load(csv, {"1,a", "2,b"}, " (id bigint, name text, k text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || name || k, ',' ORDER BY id) FROM " + dgtest::quoted(csv.table)),
              "10A0080ff,20B00000000000000ff");

    Job keyed("rawkey_k");  // _key read: such keys are rejected, named
    keyed.format = "json";
    keyed.mappings = {{"id", "(jdata->>'id')::bigint"}, {"name", "_key"}};
    r = load(keyed, {R"({"id": 1})", R"({"id": 2})"}, " (id bigint, name text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 0 rows from 2 messages in 1 batches, 2 rejected", 0), 0u) << r.out;
    EXPECT_EQ(rejects(keyed),
              "0|invalid UTF-8 in the message key at byte 2,1|invalid UTF-8 in the message key at "
              "byte 8");
}
