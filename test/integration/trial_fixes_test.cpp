// Defects an independent black-box trial found (its report's item numbers in the test names):
// each test failed before its fix.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <string>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
// "offset|error" of every reject, in offset order.
std::string rejects(const Job& job) {
    return sql_value(
        "SELECT string_agg(\"offset\" || '|' || error, ',' ORDER BY \"offset\") FROM " +
        dgtest::quoted(job.table + "_rejects") + " WHERE topic = '" + job.topic +
        "' AND partition_number = 0");
}

Result setup_and_load(const std::string& path) {
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", path});
}
}  // namespace

// 6: without mappings, a json/jsonb column gets the member's JSON: a string stays a string.
TEST(TrialFixes, Item6JsonStringMembersStayJsonStringsInJsonColumns) {
    for (const std::string input_type : {"json", "jsonb"}) {
        Job job("tf6" + input_type);
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
                  input_type == "json"
                      ? R"(1|"123"|"abc"|x,2|"true"|[1,  2]|5,3|{"a": 1}|-|-,4|1.50|"[1,2]"|-)"
                      : R"(1|"123"|"abc"|x,2|"true"|[1, 2]|5,3|{"a": 1}|-|-,4|1.50|"[1,2]"|-)")
            << input_type;
        EXPECT_EQ(sql_value("SELECT jsonb_typeof(jb) FROM " + dgtest::quoted(job.table) +
                            " WHERE id = 1"),
                  "string");
    }
}

// 10: without mappings, a document that is not an object is rejected, not loaded as NULLs.
TEST(TrialFixes, Item10FieldsToColumnsRejectDocumentsThatAreNotObjects) {
    Job job("tf10");
    job.format = "json";
    create_topic(job.topic, 1);
    produce(
        job.topic,
        {{"[1,2,3]"}, {"\"just a string\""}, {"null"}, {R"({"id": 7, "name": "ok"})"}, {"[1,"}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id bigint, name text)");
    const auto r = setup_and_load(job.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 1 rows from 5 messages in 1 batches, 4 rejected", 0), 0u) << r.out;
    EXPECT_EQ(sql_value("SELECT string_agg(id || name, ',') FROM " + dgtest::quoted(job.table)),
              "7ok");
    const std::string why =
        "not a JSON object: without mappings, fields go to the columns of their names";
    EXPECT_EQ(rejects(job), "0|" + why + ",1|" + why + ",2|" + why + ",4|invalid JSON");

    // With mappings, ->> keeps PostgreSQL's meaning: an array's member is NULL.
    Job mapped("tf10m");
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

// 7: a key that is not UTF-8 text rejects a message only when a mapping or the filter reads _key.
TEST(TrialFixes, Item7KeysThatAreNotTextRejectOnlyWhenKeyIsRead) {
    const std::string bytes_key("\x00\x80\xff", 3);
    const std::string long_key("\x00\x00\x00\x00\x00\x00\x00\xff",
                               8);  // Kafka's LongSerializer, 255
    const auto load = [&](Job& job, const std::vector<std::string>& values,
                          const std::string& ddl) {
        create_topic(job.topic, 1);
        std::vector<Record> records;
        for (size_t i = 0; i < values.size(); ++i)
            records.push_back({values[i], i % 2 ? long_key : bytes_key, 0});
        produce(job.topic, records);
        sql("CREATE TABLE " + dgtest::quoted(job.table) + ddl);
        return setup_and_load(job.write());
    };
    Job fields("tf7f");  // json, fields to columns
    fields.format = "json";
    auto r = load(fields, {R"({"id": 1})", R"({"id": 2, "name": "b"})"}, " (id bigint, name text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 2 rows from 2 messages in 1 batches, 0 rejected", 0), 0u) << r.out;

    Job csv("tf7c");  // csv through mappings that do not read the key
    csv.delimiter = ",";
    csv.columns = {{"id", "bigint"}, {"name", "text"}};
    csv.mappings = {{"id", "id * 10"}, {"name", "upper(name)"}, {"k", "encode(_key_bytes, 'hex')"}};
    r = load(csv, {"1,a", "2,b"}, " (id bigint, name text, k text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || name || k, ',' ORDER BY id) FROM " +
                        dgtest::quoted(csv.table)),
              "10A0080ff,20B00000000000000ff");

    Job keyed("tf7k");  // _key read: such keys are rejected, named
    keyed.format = "json";
    keyed.mappings = {{"id", "(jdata->>'id')::bigint"}, {"name", "_key"}};
    r = load(keyed, {R"({"id": 1})", R"({"id": 2})"}, " (id bigint, name text)");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 0 rows from 2 messages in 1 batches, 2 rejected", 0), 0u) << r.out;
    EXPECT_EQ(rejects(keyed),
              "0|invalid UTF-8 in the message key at byte 2,1|invalid UTF-8 in the message key at "
              "byte 8");
}

// 13: the filter is checked at start like the mappings, before any message (here: none at all).
TEST(TrialFixes, Item13ABrokenFilterIsAConfigErrorAtStartEvenOnAnEmptyTopic) {
    for (const std::string filter :
         {"jdata->>'id' =", "no_such_column > 1", "(jdata->>'id')::int"}) {
        Job job("tf13");
        job.format = "json";
        job.mappings = {{"id", "(jdata->>'id')::bigint"}};
        job.filter = filter;
        create_topic(job.topic, 1);
        sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id bigint)");
        const auto path = job.write();
        const auto r = setup_and_load(path);
        EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << filter << ": " << r.err;
        const auto toml = job.toml();
        const auto line =
            1 + std::count(toml.begin(), toml.begin() + static_cast<long>(toml.find("filter = ")),
                           '\n');
        EXPECT_NE(r.err.find(path + ":" + std::to_string(line) + ": kafka.output.filter (\"" +
                             filter + "\"): "),
                  std::string::npos)
            << r.err;
    }
    Job good("tf13g");  // a working filter still loads
    good.format = "json";
    good.filter = "(jdata->>'id')::int > 1";
    create_topic(good.topic, 1);
    produce(good.topic, {{R"({"id": 1})"}, {R"({"id": 2})"}});
    sql("CREATE TABLE " + dgtest::quoted(good.table) + " (id bigint)");
    const auto r = setup_and_load(good.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',') FROM " + dgtest::quoted(good.table)),
              "2");
}

// 11: the "job is wrong" stop holds across batches: one message a batch, every one refused.
TEST(TrialFixes, Item11EveryRowRefusedStopsTheLoadAlsoOneMessageABatch) {
    Job job("tf11");
    job.format = "json";
    job.max_row = 1;
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"n", "100 / (jdata->>'d')::int"}};
    create_topic(job.topic, 1);
    std::vector<Record> records;
    // 9 refused, 1 good (the streak starts again), 9 refused: loads on; then 10 refused in a row:
    // stop.
    for (int i = 0; i < 40; ++i) {
        const bool good = i == 9 || i == 19;
        records.push_back({"{\"id\": " + std::to_string(i) + ", \"d\": " + (good ? "1" : "0") + "}",
                           std::nullopt, 0});
    }
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int, n int)");
    const auto r = setup_and_load(job.write());
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.out << r.err;
    EXPECT_NE(r.err.find("the database refused every row tried (the last 10 rows, over several "
                         "batches), so the job, "
                         "not the data, is wrong"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("division by zero"), std::string::npos) << r.err;
    EXPECT_EQ(
        sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + dgtest::quoted(job.table)),
        "9,19");
    // Rows 0..8, 10..18 and 20..28 were rejected and committed; row 29, the tenth in a row, was
    // not.
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 27);
    EXPECT_EQ(sql_value("SELECT committed_offset FROM " + dgtest::quoted(job.table + "_offset")),
              "29");
}

// 5: with update_condition, the outcome is that of applying the messages one by one, whatever
// the batch size.
TEST(TrialFixes, Item5UpdateConditionGivesTheSameTableWhateverTheBatchSize) {
    for (const std::string mode : {"update", "merge"}) {
        std::vector<std::string> tables;
        for (const int max_row : {1, 1000}) {
            Job job("tf5" + mode);
            job.format = "json";
            job.max_row = max_row;
            create_topic(job.topic, 1);
            produce(job.topic, {{R"({"k": 2, "v": 25})"},
                                {R"({"k": 2, "v": 30})"},
                                {R"({"k": 2, "v": 21})"},
                                {R"({"k": 1, "v": 5})"},
                                {R"({"k": 3, "v": 5})"},
                                {R"({"k": 3, "v": 4})"},
                                {R"({"k": 3, "v": 7})"},
                                {R"({"k": 2, "v": "x"})"},  // refused: the batch is written again
                                {R"({"k": 2, "v": 29})"},
                                {R"({"k": 3, "v": 6})"}});
            sql("CREATE TABLE " + dgtest::quoted(job.table) +
                " (k int PRIMARY KEY, v int, note text)");
            sql("INSERT INTO " + dgtest::quoted(job.table) +
                " VALUES (1, 10, 'one'), (2, 20, 'two')");
            job.output_extra = "mode = \"" + mode +
                               "\"\nmatch_columns = [\"k\"]\nupdate_columns = [\"v\"]\n"
                               "update_condition = \"excluded.v > current.v\"\n";
            const auto path = job.write();
            const auto r = setup_and_load(path);
            ASSERT_EQ(r.code, 0) << r.err;
            tables.push_back(
                sql_value("SELECT string_agg(concat_ws('|', k, v, note), ',' ORDER BY k) FROM " +
                          dgtest::quoted(job.table)));
        }
        EXPECT_EQ(tables[0], mode == "update" ? "1|10|one,2|30|two" : "1|10|one,2|30|two,3|7")
            << "max_row 1, " << mode;
        EXPECT_EQ(tables[1], tables[0]) << "max_row 1000, " << mode;
    }
}

// 9: one publisher per outbox: a second `publish` says who holds the outbox and exits 4.
TEST(TrialFixes, Item9ASecondPublisherOfTheSameOutboxIsRefused) {
    const auto job = Job::outbox("tf9");
    const auto path = prepare_outbox(job);
    const auto outbox = dgtest::quoted(job.outbox_table());
    sql("INSERT INTO " + outbox + " SELECT generate_series(1, 100)");

    auto first = spawn("dgkafka", {"publish", path});  // streaming: holds the outbox until stopped
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) FROM " + outbox) == 0; },
                           std::chrono::seconds(60)));
    auto r = run("dgkafka", {"publish", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.out << r.err;
    EXPECT_NE(r.err.find("another dgkafka publish is sending " + job.table +
                         "_outbox: database session "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("\"dgkafka publish\""), std::string::npos) << r.err;

    sql("INSERT INTO " + outbox + " SELECT generate_series(101, 150)");
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) FROM " + outbox) == 0; },
                           std::chrono::seconds(60)));
    kill(first.pid, SIGTERM);
    const auto stopped = first.wait();
    EXPECT_EQ(stopped.code, 0) << stopped.err;
    EXPECT_EQ(high_watermark(job.topic, 0), 150) << "every row sent once";

    sql("INSERT INTO " + outbox +
        " VALUES (151)");  // the lock went with the first publisher's session
    r = run("dgkafka", {"publish", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "PUBLISH 1 messages to " + job.topic + "\n");
}

// 15: setups at once are serialized; `created:` is said only for what was committed; a bad
// column type is a config error naming file, line and key.
TEST(TrialFixes, Item15ConcurrentSetupsAndABadColumnType) {
    Job job("tf15");
    job.columns = {{"id", "bigint"}, {"p", "text"}};
    const auto path = job.write();
    std::vector<Spawned> runs;
    for (int i = 0; i < 3; ++i) runs.push_back(spawn("dgkafka", {"setup", path}));
    int created = 0;
    for (auto& s : runs) {
        const auto r = s.wait();
        EXPECT_EQ(r.code, 0) << r.out << r.err;
        if (r.out.find("created: " + job.table + "_read") != std::string::npos) ++created;
    }
    EXPECT_EQ(created, 1) << "one setup created the tables, the others found them";

    Job bad("tf15b");
    bad.columns = {{"id", "bigint"}, {"p", "integr"}};
    const auto bad_path = bad.write();
    const auto r = run("dgkafka", {"setup", bad_path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.out << r.err;
    const auto toml = bad.toml();
    const auto line =
        1 + std::count(toml.begin(),
                       toml.begin() + static_cast<long>(toml.find("type = \"integr\"")), '\n');
    EXPECT_NE(r.err.find(bad_path + ":" + std::to_string(line) +
                         ": kafka.input.columns[1].type: \"integr\" is not a PostgreSQL type"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out.find("created:"), std::string::npos) << r.out;
    EXPECT_EQ(sql_value("SELECT to_regclass('" + bad.table + "_offset') IS NULL"), "t")
        << "nothing was created";
}

// 16g: format = "binary": a tombstone is NULL, an empty message the empty bytea.
TEST(TrialFixes, Item16gABinaryTombstoneIsNull) {
    Job job("tf16g");
    job.format = "binary";
    create_topic(job.topic, 1);
    produce(job.topic, {{"", std::string("k"), 0, true},
                        {"", std::nullopt, 0},
                        {std::string("\x01\x00", 2), std::nullopt, 0}});
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (bdata bytea)");
    const auto r = setup_and_load(job.write());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(coalesce(encode(bdata, 'hex'), 'NULL'), ',' ORDER BY "
                        "bdata NULLS FIRST) FROM " +
                        dgtest::quoted(job.table)),
              "NULL,,0100");
}
