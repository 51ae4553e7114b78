// format = "protobuf": Confluent's wire format through the sandbox's Schema Registry stand-in (two
// versions of a schema that imports another, registered as a reference), plain Protobuf with a
// .proto file, and JSON Schema's wire prefix on format = "json". The messages are encoded by
// Debian's python3-protobuf from .proto files protoc compiles at test time
// (test/data/protobuf_orders.py), which also says what each row must hold; no mappings: each
// field goes to the column of its name, and the table must equal those rows exactly.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/generated.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;

namespace {

const char* const order_columns =
    " (id bigint, name text, note text, qty int, status text, tags jsonb, attrs jsonb, ship jsonb, placed_at "
    "timestamptz,"
    " wait interval, points bigint, coupon text, extra jsonb, score float8, ok boolean, data text, card text,"
    " account bigint, lines jsonb, email text, why text)";
const char* const column_names[] = {"id",   "name",      "note", "qty",     "status", "tags",  "attrs",
                                    "ship", "placed_at", "wait", "points",  "coupon", "extra", "score",
                                    "ok",   "data",      "card", "account", "lines",  "email", "why"};

Job orders_job(const std::string& name) {
    Job job(name);
    job.format = "protobuf";
    return job;
}

void seed(const Job& job, const Generated& g) {
    create_topic(job.topic, 1);
    produce(job.topic, g.records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + order_columns);
}

void expect_rows(const std::string& table, const std::vector<nlohmann::json>& rows) {
    sql("CREATE TABLE " + dgtest::quoted(table + "_expected") + order_columns);
    auto conn = db();
    pqxx::work tx(*conn);
    for (const auto& row : rows) {
        std::string values;
        for (const char* c : column_names) {
            const auto& v = row.at(c);
            values +=
                (values.empty() ? "" : ", ") + (v.is_null() ? std::string("NULL") : tx.quote(v.get<std::string>()));
        }
        tx.exec0("INSERT INTO " + dgtest::quoted(table + "_expected") + " VALUES (" + values + ")");
    }
    tx.commit();
}

std::string rows_text(const std::string& table) {
    return sql_value("SELECT string_agg(t::text, E'\\n') FROM " + dgtest::quoted(table) + " t");
}

std::string rejects(const std::string& table) {
    return sql_value(
        "SELECT string_agg(topic || '/' || partition_number || '/' || \"offset\" || ': ' || error, E'\\n' ORDER BY "
        "\"offset\") FROM " +
        dgtest::quoted(table + "_rejects"));
}

std::string registry_line() { return "schema_registry = " + toml_string(sandbox().at("SCHEMA_REGISTRY_URL")) + "\n"; }

}  // namespace

TEST(Protobuf, TwoVersionsAReferenceWellKnownTypesAndBadMessagesThroughTheRegistry) {
    auto job = orders_job("protobuf");
    job.input_extra = registry_line();
    const auto g = generate("protobuf_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic);
    seed(job, g);
    expect_rows(job.table, g.expected);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
    EXPECT_EQ(differing_rows(job.table), 0) << rows_text(job.table);
    const std::string why = rejects(job.table);
    ASSERT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()))
        << why;
    for (const char* reason :
         {"unknown schema id 999999", "magic byte 1 is not 0", "3 bytes: too short for Confluent's wire format",
          "not a shop.Order message (truncated or corrupt",
          "message index [7] names no message (the file has 2 messages)",
          "message index [0, 5] names no message (shop.Order has 2 messages)",
          "message-index list of 2147483647 indexes", "is a AVRO schema, not Protobuf"})
        EXPECT_NE(why.find(reason), std::string::npos) << reason << " in\n" << why;
    EXPECT_NE(why.find(job.topic + "/0/" + std::to_string(g.bad.front().first) + ": "), std::string::npos)
        << "topic/partition/offset\n"
        << why;
    // A second run loads nothing again.
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
}

TEST(Protobuf, PlainMessagesWithAProtoFileAndTheMessageName) {
    auto job = orders_job("protobuf_plain");
    const std::string dir = std::filesystem::path(write_file(job.table + "_proto/x", "")).parent_path().string();
    shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) + "/test/data/protobuf_orders.py --proto " + dir);
    job.input_extra = "protobuf_file = " + toml_string(dir + "/shop.proto") + "\nprotobuf_message = \"shop.Order\"\n";
    const auto g = generate("protobuf_orders.py", "--plain x");
    seed(job, g);
    expect_rows(job.table, g.expected);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(differing_rows(job.table), 0) << rows_text(job.table);
    const std::string why = rejects(job.table);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()))
        << why;
    EXPECT_NE(why.find("not a shop.Order message (truncated or corrupt"), std::string::npos) << why;
}

TEST(Protobuf, AProtoFileThatDoesNotParseStopsBeforeLoadingWithExit3) {
    auto job = orders_job("protobuf_broken");
    const auto proto = write_file(job.table + ".proto", "syntax = \"proto3\";\nmessage M { strin x = 1; }\n");
    job.input_extra = "protobuf_file = " + toml_string(proto) + "\nprotobuf_message = \"M\"\n";
    create_topic(job.topic, 1);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (x text)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("kafka.input.protobuf_file"), std::string::npos) << r.err;
}

// JSON Schema producers prefix each JSON text with the magic byte and the schema id.
TEST(JsonSchema, TheWirePrefixIsCheckedAndTakenOffTheJson) {
    Job job("json_schema");
    job.format = "json";
    job.input_extra = registry_line();
    const std::string url = sandbox().at("SCHEMA_REGISTRY_URL");
    const auto ids = nlohmann::json::parse(shell(
        "/usr/bin/python3 -c 'import json, sys, urllib.request\n"
        "def reg(s, t, k):\n"
        "    r = urllib.request.Request(sys.argv[1] + \"/subjects/\" + s + \"/versions\", json.dumps({\"schema\": t, "
        "\"schemaType\": k}).encode(),"
        " {\"Content-Type\": \"application/json\"})\n"
        "    return json.load(urllib.request.urlopen(r))[\"id\"]\n"
        "print(json.dumps([reg(sys.argv[2] + \"-value\", json.dumps({\"type\": \"object\", \"properties\": {\"id\": "
        "{\"type\": \"integer\"}}}), \"JSON\"),"
        " reg(sys.argv[2] + \"-proto\", \"syntax = \\\"proto3\\\"; message M { int32 id = 1; }\", \"PROTOBUF\")]))' " +
        url + " " + job.topic));
    const auto prefixed = [](int id, const std::string& json) {
        std::string v(1, '\0');
        for (int shift = 24; shift >= 0; shift -= 8) v += static_cast<char>((id >> shift) & 0xff);
        return v + json;
    };
    create_topic(job.topic, 1);
    produce(job.topic, {{prefixed(ids[0], R"({"id": 1, "name": "Ada"})")},
                        {prefixed(ids[0], R"({"id": 2, "name": "Bjørn"})")},
                        {R"({"id": 3, "name": "no prefix"})"},
                        {prefixed(ids[1], R"({"id": 4})")},
                        {prefixed(424242, R"({"id": 5})")}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int, name text)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM " + dgtest::quoted(job.table)),
              "1:Ada,2:Bjørn");
    const std::string why = rejects(job.table);
    EXPECT_NE(why.find("/0/2: magic byte 123 is not 0"), std::string::npos) << why;
    EXPECT_NE(why.find("/0/3: schema id " + ids[1].dump() + " is a PROTOBUF schema, not JSON Schema"),
              std::string::npos)
        << why;
    EXPECT_NE(why.find("/0/4: unknown schema id 424242"), std::string::npos) << why;
}

TEST(Protobuf, CreateTableFromTheRegisteredSchemaGivesTheColumnsItsValuesLoadInto) {
    auto job = orders_job("protobuf_create");
    job.input_extra = registry_line();
    job.output_extra = "create_table = true\nevolve = true\n";
    const auto g = generate("protobuf_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic);
    create_topic(job.topic, 1);
    produce(job.topic, g.records);
    const auto path = job.write();
    const auto setup = run("dgkafka", {"setup", path});
    ASSERT_EQ(setup.code, 0) << setup.err;
    EXPECT_NE(setup.out.find("created: " + job.table + " from schema id "), std::string::npos) << setup.out;

    // shop.Order of the newest version (the file's first message), its reference and well-known
    // types resolved: the types the hand-written table of the test above has.
    EXPECT_EQ(sql_value("SELECT string_agg(column_name || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY "
                        "ordinal_position) FROM information_schema.columns JOIN pg_attribute ON attrelid = '" +
                        dgtest::quoted(job.table) + "'::regclass AND attname = column_name WHERE table_name = '" +
                        job.table + "'"),
              "id bigint, name text, note text, qty integer, status text, tags jsonb, attrs jsonb, ship jsonb, "
              "placed_at timestamp with time zone, wait interval, points bigint, coupon text, extra jsonb, score "
              "double precision, ok boolean, data text, card text, account bigint, lines jsonb, email text");

    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    expect_rows(job.table, g.expected);
    // Every column but shop.Refund's `why`, which shop.Order lacks.
    std::string columns;
    for (const char* c : column_names)
        if (std::string(c) != "why") columns += (columns.empty() ? "" : ", ") + std::string(c);
    const std::string a = dgtest::quoted(job.table), b = dgtest::quoted(job.table + "_expected");
    EXPECT_EQ(sql_count("SELECT count(*) FROM ((SELECT " + columns + " FROM " + a + " EXCEPT ALL SELECT " + columns +
                        " FROM " + b + ") UNION ALL (SELECT " + columns + " FROM " + b + " EXCEPT ALL SELECT " +
                        columns + " FROM " + a + ")) d"),
              0)
        << rows_text(job.table);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()));
}
