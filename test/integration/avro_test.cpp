// format = "avro": Confluent's wire format through the sandbox's Schema Registry stand-in, and bare
// Avro with a schema file. The messages are encoded by Debian's python3-avro (test/data/avro_orders.py),
// which also says what each row must hold; the loaded table must equal those rows exactly.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/generated.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "support/scrape.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {

const char* const orders_columns =
    " (id bigint, name text, price numeric(12,2), big numeric(38,10), ts timestamptz, ts_us timestamptz, day date,"
    " t_ms time, t_us time, uid uuid, data bytea, fx bytea, color text, note text, tags jsonb, attrs jsonb,"
    " score float8, ratio float4, ok boolean, city text, email text, version int)";

Job orders_job(const std::string& name) {
    Job job(name);
    job.format = "avro";
    const std::vector<std::pair<const char*, const char*>> columns = {
        {"id", "bigint"},          {"name", "text"},      {"price", "numeric(12,2)"},
        {"big", "numeric(38,10)"}, {"ts", "timestamptz"}, {"ts_us", "timestamptz"},
        {"day", "date"},           {"t_ms", "time"},      {"t_us", "time"},
        {"uid", "uuid"},           {"data", "bytea"},     {"fx", "bytea"},
        {"color", "text"},         {"note", "text"},      {"tags", "jsonb"},
        {"attrs", "jsonb"},        {"score", "float8"},   {"ratio", "float4"},
        {"ok", "boolean"},         {"email", "text"}};
    for (const auto& [c, type] : columns) job.mappings.push_back({c, std::string("(jdata->>'") + c + "')::" + type});
    job.mappings.push_back({"city", "jdata->'ship'->>'city'"});
    job.mappings.push_back({"version", "CASE WHEN jdata::jsonb ? 'email' THEN 2 ELSE 1 END"});
    return job;
}

// The job's topic holding the generated messages, and its empty output table.
void seed_orders(const Job& job, const Generated& g) {
    create_topic(job.topic, 1);
    produce(job.topic, g.records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + orders_columns);
}

// The table the rows must equal, filled from the encoder's own account of them.
void expect_rows(const std::string& table, const std::vector<nlohmann::json>& rows) {
    sql("CREATE TABLE " + dgtest::quoted(table + "_expected") + orders_columns);
    auto conn = db();
    pqxx::work tx(*conn);
    for (const auto& row : rows) {
        std::string values;
        for (const auto& v : row)
            values += (values.empty() ? "" : ", ") + (v.is_null() ? "NULL" : tx.quote(v.get<std::string>()));
        tx.exec0("INSERT INTO " + dgtest::quoted(table + "_expected") + " VALUES (" + values + ")");
    }
    tx.commit();
}

std::string rejects(const std::string& table) {
    return sql_value("SELECT string_agg(\"offset\" || ': ' || error, E'\\n' ORDER BY \"offset\") FROM " +
                     dgtest::quoted(table + "_rejects"));
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Another registry stand-in serving the sandbox registry's schemas; stopped with the object.
struct OwnRegistry {
    explicit OwnRegistry(int port, const std::string& args = "") {
        const std::string data = write_file(unique_name("registry") + ".json", R"({"schemas": {}, "subjects": {}})");
        shell("if [ -f " + sandbox().at("SCHEMA_REGISTRY_DATA") + " ]; then cp " +
              sandbox().at("SCHEMA_REGISTRY_DATA") + " " + data + "; fi");
        pid = std::stoi(shell("BUILD_DIR=" + sandbox().at("BUILD_DIR") + " " + DGKAFKA_SOURCE_DIR +
                              "/scripts/sandbox.sh registry " + std::to_string(port) + " " + data + " " + args));
    }
    ~OwnRegistry() { kill(pid, SIGTERM); }
    int pid = -1;
};

std::string registry_line(const std::string& url) { return "schema_registry = " + toml_string(url) + "\n"; }

}  // namespace

TEST(Avro, EveryLogicalTypeTwoSchemaVersionsAndBadMessagesThroughTheRegistry) {
    auto job = orders_job("avro");
    job.input_extra = registry_line(sandbox().at("SCHEMA_REGISTRY_URL"));
    const auto g = generate("avro_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic + "-value");
    seed_orders(job, g);
    expect_rows(job.table, g.expected);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
    EXPECT_EQ(differing_rows(job.table), 0)
        << sql_value("SELECT string_agg(t::text, E'\\n') FROM " + dgtest::quoted(job.table) + " t");
    const std::string why = rejects(job.table);
    ASSERT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()))
        << why;
    for (const char* reason : {"unknown schema id 999999", "truncated or corrupt", "magic byte 1 is not 0",
                               "magic byte 123 is not 0", "bytes left after the record", "2 bytes: too short"})
        EXPECT_NE(why.find(reason), std::string::npos) << reason << " in\n" << why;
    // A second run loads nothing again.
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", path}).code, 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
}

TEST(Avro, BareAvroWithASchemaFile) {
    auto job = orders_job("avro_bare");
    const auto schema = write_file(job.table + ".avsc", shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) +
                                                              "/test/data/avro_orders.py --schema"));
    job.input_extra = "avro_schema = " + toml_string(schema) + "\n";
    const auto g = generate("avro_orders.py", "--bare");
    seed_orders(job, g);
    expect_rows(job.table, g.expected);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(differing_rows(job.table), 0);
    EXPECT_NE(rejects(job.table).find("6: not Avro of its schema (truncated or corrupt)"), std::string::npos)
        << rejects(job.table);
}

TEST(Avro, AnUnreachableRegistryIsWaitedForNeverARejection) {
    auto job = orders_job("avro_wait");
    const int port = free_port();
    job.input_extra = registry_line("http://127.0.0.1:" + std::to_string(port));
    auto g = generate("avro_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic + "-value");
    seed_orders(job, g);
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_TRUE(
        wait_until([&] { return file_text(load.err_file).find("schema registry unavailable") != std::string::npos; },
                   std::chrono::seconds(60)));
    EXPECT_FALSE(load.exited());
    OwnRegistry registry(port);
    const auto r = load.wait();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()));
}

TEST(Avro, BasicAuthWithAPasswordFileAndAWrongPasswordGivesUpWithoutRejecting) {
    auto job = orders_job("avro_auth");
    const int port = free_port();
    const auto secret = write_file(job.table + ".pw", "s3cret\n");
    const auto wrong = write_file(job.table + ".wrong", "nope\n");
    auto g = generate("avro_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic + "-value");
    OwnRegistry registry(port, "--user dgk --password-file " + secret);  // serving what generate() registered
    seed_orders(job, g);

    job.input_extra = registry_line("http://127.0.0.1:" + std::to_string(port)) +
                      "schema_registry_user = \"dgk\"\nschema_registry_password_file = " + toml_string(wrong) + "\n";
    job.extra = "retry_timeout = 2\n";  // appended to [kafka.commit]
    auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::kafka)) << r.err;
    EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("nope"), std::string::npos) << "the password is never printed";
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);

    job.input_extra = registry_line("http://127.0.0.1:" + std::to_string(port)) +
                      "schema_registry_user = \"dgk\"\nschema_registry_password_env = \"DGK_REGISTRY_PW\"\n";
    path = job.write();
    setenv("DGK_REGISTRY_PW", "s3cret", 1);
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
}

TEST(Avro, DebeziumChangeEventsInAvroKeepTheTableEqualToTheSource) {
    Job job("avro_dbz");
    job.format = "avro";
    job.max_row = 13;
    job.input_extra = registry_line(sandbox().at("SCHEMA_REGISTRY_URL")) + "envelope = \"debezium\"\n";
    const std::string out =
        shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) + "/test/data/debezium_avro.py " +
              sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic);
    std::vector<Record> records;
    std::string expected;
    size_t start = 0;
    for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
        const auto m = nlohmann::json::parse(out.substr(start, end - start));
        if (m.contains("state")) {
            for (const auto& row : m["state"])
                expected += (expected.empty() ? "" : ",") + std::to_string(row[0].get<int>()) + "|" +
                            (row[1].is_null() ? "-" : row[1].get<std::string>()) + "|" +
                            std::to_string(row[2].get<int>());
            continue;
        }
        const std::string key = from_hex(m["key"].get<std::string>());
        const bool tombstone = m["value"].is_null();
        records.push_back({tombstone ? "" : from_hex(m["value"].get<std::string>()), key,
                           static_cast<int32_t>(static_cast<unsigned char>(key.back()) % 2), tombstone});
    }
    create_topic(job.topic, 2);
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int PRIMARY KEY, name text, qty int)");
    std::string toml = job.toml();
    toml.replace(toml.find("[kafka.output]\n"), 15, "[kafka.output]\nmode = \"merge\"\nmatch_columns = [\"id\"]\n");
    const auto path = write_file(job.table + ".toml", toml);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(concat_ws('|', id, coalesce(name, '-'), qty), ',' ORDER BY id) FROM " +
                        dgtest::quoted(job.table)),
              expected);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
}

// Lengths and counts no message can hold, nesting past the limit and a schema no message can
// satisfy: each such message is rejected with its offset, quickly and in little memory, and the
// good ones around them load.
TEST(Avro, HostileLengthsCountsAndNestingAreRejectedWithinBoundedMemory) {
    Job job("avro_hostile");
    job.format = "avro";
    job.input_extra = registry_line(sandbox().at("SCHEMA_REGISTRY_URL"));
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"doc", "jdata::jsonb"}};
    const std::string out =
        shell("/usr/bin/python3 " + std::string(DGKAFKA_SOURCE_DIR) + "/test/data/hostile_avro.py " +
              sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic);
    std::vector<Record> records;
    std::map<int64_t, std::string> expected_rejects;  // offset -> part of the reason
    size_t start = 0;
    for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
        const auto m = nlohmann::json::parse(out.substr(start, end - start));
        if (!m["reject"].is_null())
            expected_rejects[static_cast<int64_t>(records.size())] = m["reject"].get<std::string>();
        records.push_back({from_hex(m["value"].get<std::string>())});
    }
    ASSERT_EQ(records.size(), 10u);
    create_topic(job.topic, 1);
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int, doc jsonb)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto load = spawn("dgkafka", {"load", "-quit-at-eof", path});
    const auto r = load.wait(std::chrono::seconds(120));
    ASSERT_EQ(r.code, 0) << r.err;
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    EXPECT_LT(usage.ru_maxrss, 256 * 1024) << "KiB at most in any child, dgkafka included";

    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + dgtest::quoted(job.table)), "1,7,10");
    EXPECT_EQ(sql_value("SELECT doc->>'items' FROM " + dgtest::quoted(job.table) + " WHERE id = 1"),
              "[null, null, null]");
    EXPECT_EQ(sql_value("SELECT doc #>> (array_fill('next'::text, ARRAY[499]) || '{id}'::text[]) FROM " +
                        dgtest::quoted(job.table) + " WHERE id = 7"),
              "499")
        << "500 nested records load";
    const auto rejected = sql_value(
        "SELECT string_agg(topic || '/' || \"partition_number\" || '/' || \"offset\" || ': ' || error, "
        "E'\\n' ORDER BY \"offset\") FROM " +
        dgtest::quoted(job.table + "_rejects"));
    ASSERT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(expected_rejects.size()))
        << rejected;
    for (const auto& [offset, reason] : expected_rejects) {
        const std::string line = job.topic + "/0/" + std::to_string(offset) + ": ";
        const auto at = rejected.find(line);
        ASSERT_NE(at, std::string::npos) << line << " in\n" << rejected;
        EXPECT_NE(rejected.substr(at, rejected.find('\n', at) - at).find(reason), std::string::npos)
            << reason << " in\n"
            << rejected;
    }
}

// An https registry with a CA the test makes: trusted through schema_registry_ca, it loads (basic
// auth over TLS too); untrusted (the system's CAs, or another CA) the load stops at once with a
// config error naming the key, and rejects nothing.
TEST(Avro, HttpsRegistryLoadsWithItsCaAndRefusesAnUntrustedCertificate) {
    auto job = orders_job("avro_tls");
    const std::string ext = write_file(job.table + "_san.ext", "subjectAltName=IP:127.0.0.1\n");
    const std::string d = ext.substr(0, ext.size() - 8);  // the test's files: <table>_<name>
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2";
    shell("openssl req -x509" + ec + " -subj /CN=dgkafka-test-ca -keyout " + d + "_ca.key -out " + d +
          "_ca.pem 2>&1 &&"
          " openssl req -x509" +
          ec + " -subj /CN=another-ca -keyout " + d + "_other.key -out " + d +
          "_other.pem 2>&1 &&"
          " openssl req" +
          ec + " -subj /CN=127.0.0.1 -keyout " + d + "_server.key -out " + d +
          "_server.csr 2>&1 &&"
          " openssl x509 -req -in " +
          d + "_server.csr -CA " + d + "_ca.pem -CAkey " + d +
          "_ca.key -CAcreateserial"
          " -days 2 -extfile " +
          ext + " -out " + d + "_server.pem 2>&1");
    const auto secret = write_file(job.table + ".pw", "s3cret\n");
    auto g = generate("avro_orders.py", sandbox().at("SCHEMA_REGISTRY_URL") + " " + job.topic + "-value");
    const int port = free_port();
    OwnRegistry registry(port,
                         "--cert " + d + "_server.pem --key " + d + "_server.key --user dgk --password-file " + secret);
    seed_orders(job, g);
    const std::string https = registry_line("https://127.0.0.1:" + std::to_string(port)) +
                              "schema_registry_user = \"dgk\"\nschema_registry_password_env = \"DGK_TLS_PW\"\n";
    setenv("DGK_TLS_PW", "s3cret", 1);

    for (const std::string& ca : {std::string(), d + "_other.pem"}) {
        job.input_extra = https + (ca.empty() ? "" : "schema_registry_ca = " + toml_string(ca) + "\n");
        const auto path = job.write();
        ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
        auto load = spawn("dgkafka", {"load", "-quit-at-eof", path});
        const auto r = load.wait(std::chrono::seconds(60));
        EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
        EXPECT_NE(r.err.find("kafka.input.schema_registry_ca (" + (ca.empty() ? std::string("the system's CAs") : ca) +
                             "): no registry's certificate is trusted"),
                  std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
        EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 0);
        EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 0);
    }

    job.input_extra = https + "schema_registry_ca = " + toml_string(d + "_ca.pem") + "\n";
    const auto path = job.write();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), static_cast<int64_t>(g.expected.size()));
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")),
              static_cast<int64_t>(g.bad.size()));
}
