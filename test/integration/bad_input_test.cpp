// Bad input never stops a load and nothing is lost: every bad message lands in the
// rejected-rows table with why, the good ones load, the offsets move past both.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
std::string q(const std::string& name) { return "\"" + name + "\""; }

std::string prepare(const Job& job, const std::string& ddl, const std::vector<std::string>& values) {
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (const auto& v : values) records.push_back({v, std::string("k") + std::to_string(records.size()), 0});
    produce(job.topic, records);
    sql("CREATE TABLE " + q(job.table) + ddl);
    const auto path = job.write();
    const auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, 0) << r.err;
    return path;
}

// "offset sqlstate|error" of every reject, in offset order.
std::vector<std::string> rejects(const Job& job) {
    std::vector<std::string> out;
    auto c = db();
    pqxx::nontransaction tx(*c);
    for (const auto& row :
         tx.exec("SELECT \"offset\", coalesce(sqlstate, '-'), error, consumer_group, topic, partition_number "
                 "FROM " +
                 q(job.table + "_rejects") + " ORDER BY \"offset\"")) {
        EXPECT_EQ(row[3].as<std::string>(), job.group);
        EXPECT_EQ(row[4].as<std::string>(), job.topic);
        EXPECT_EQ(row[5].as<int>(), 0);
        out.push_back(row[0].as<std::string>() + " " + row[1].as<std::string>() + "|" + row[2].as<std::string>());
    }
    return out;
}

void expect_reject(const std::vector<std::string>& all, size_t i, const std::string& prefix, const std::string& text) {
    ASSERT_LT(i, all.size());
    EXPECT_EQ(all[i].rfind(prefix + "|", 0), 0u) << all[i];
    EXPECT_NE(all[i].find(text), std::string::npos) << all[i];
}
}  // namespace

TEST(BadInput, EveryKindOfBadCsvMessageIsRejectedTheGoodOnesLoad) {
    Job job("badcsv");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "varchar(10)"}, {"qty", "integer"}};
    const std::vector<std::string> values = {
        "1,alice,5",                   // 0 good
        "2,bob",                       // 1 too few fields
        "3,\"unclosed,7",              // 2 unclosed quote
        "4,caf\xe9,1",                 // 3 Latin-1, not UTF-8
        std::string("5,nul\0x,1", 9),  // 4 NUL byte
        "",                            // 5 empty message
        "6,carol,abc",                 // 6 not an integer
        "7,a_very_long_name,1",        // 7 too long for varchar(10)
        "8,,1",                        // 8 NOT NULL
        "9,dave,-1",                   // 9 CHECK
        "1,dup,1",                     // 10 UNIQUE (offset 0 has id 1)
        "10,erin,2",                   // 11 good
        "11,frank,3",                  // 12 good
    };
    const auto path =
        prepare(job, " (id integer PRIMARY KEY, name varchar(10) NOT NULL, qty integer CHECK (qty >= 0))", values);

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 3 rows from 13 messages in 1 batches, 10 rejected", 0), 0u) << r.out;
    EXPECT_EQ(sql_value("SELECT string_agg(id || name || qty, ',' ORDER BY id) FROM " + q(job.table)),
              "1alice5,10erin2,11frank3");

    const auto all = rejects(job);
    ASSERT_EQ(all.size(), 10u);
    expect_reject(all, 0, "1 -", "2 fields, expected 3");
    expect_reject(all, 1, "2 -", "unclosed quote");
    expect_reject(all, 2, "3 -", "invalid UTF-8 in field 2 at byte 4");
    expect_reject(all, 3, "4 -", "NUL byte in field 2");
    expect_reject(all, 4, "5 -", "1 fields, expected 3");
    expect_reject(all, 5, "6 22P02", "invalid input syntax for type integer");
    expect_reject(all, 6, "7 22001", "value too long for type character varying(10)");
    expect_reject(all, 7, "8 23502", "null value in column \"name\"");
    expect_reject(all, 8, "9 23514", "check constraint");
    expect_reject(all, 9, "10 23505", "duplicate key value");
    EXPECT_EQ(sql_value("SELECT encode(value, 'hex') || '/' || convert_from(key, 'UTF8') FROM " +
                        q(job.table + "_rejects") + " WHERE \"offset\" = 4"),
              "352c6e756c00782c31/k4")
        << "the raw bytes and key are kept";
    EXPECT_EQ(sql_value("SELECT string_agg(committed_offset::text, ',') FROM " + q(job.table + "_offset")), "13");

    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 0 rows from 0 messages", 0), 0u) << r.out;
    EXPECT_EQ(rejects(job).size(), 10u);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 3);
}

TEST(BadInput, JsonMappingsAndUdfErrorsAreFoundByHalvingAndRejected) {
    Job job("badjson");
    job.format = "json";
    job.max_row = 100;
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"v", "checked_value((jdata->>'v')::int)"}};
    sql("CREATE OR REPLACE FUNCTION checked_value(v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
        "IF v < 0 THEN RAISE EXCEPTION 'negative value %', v; END IF; RETURN v; END $$");
    std::vector<std::string> values;
    for (int i = 0; i < 60; ++i)
        values.push_back("{\"id\": " + std::to_string(i) + ", \"v\": " + std::to_string(i) + "}");
    values[7] = "{\"id\": 7, \"v\": ";         // invalid JSON
    values[20] = "";                           // empty
    values[33] = "{\"id\": \"x\", \"v\": 1}";  // cast in a mapping fails
    values[51] = "{\"id\": 51, \"v\": -5}";    // the UDF raises
    const auto path = prepare(job, " (id int, v int)", values);

    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 56 rows from 60 messages in 1 batches, 4 rejected", 0), 0u) << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table) + " WHERE id IN (7, 20, 33, 51)"), 0);
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + q(job.table)), 56);
    const auto all = rejects(job);
    ASSERT_EQ(all.size(), 4u);
    expect_reject(all, 0, "7 -", "invalid JSON");
    expect_reject(all, 1, "20 -", "empty message");
    expect_reject(all, 2, "33 22P02", "invalid input syntax for type integer");
    expect_reject(all, 3, "51 P0001", "negative value -5");
}

TEST(BadInput, AMappingThatFailsForEveryRowStopsAtOnceCommittingNothing) {
    Job job("allbad");
    job.format = "json";
    job.mappings = {{"id", "(jdata->>'id')::int / 0"}};
    std::vector<std::string> values;
    for (int i = 0; i < 20; ++i) values.push_back("{\"id\": " + std::to_string(i) + "}");
    const auto path = prepare(job, " (id int)", values);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.out;
    EXPECT_NE(r.err.find("the database refused every row tried (the batch of 20 rows"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("division by zero"), std::string::npos) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects")), 0);
    EXPECT_EQ(sql_value("SELECT string_agg(committed_offset::text, ',') FROM " + q(job.table + "_offset")), "0");
}

TEST(BadInput, ErrorLimitCountStopsTheLoadAndCommitsNothingOfTheFailingBatch) {
    Job job("limitcount");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    job.extra = "";
    std::string toml;
    const auto path = prepare(job, " (id integer)", {"1", "x", "3", "y", "5"});
    toml = job.toml();
    toml.replace(toml.find("[kafka.output]\n"), 15, "[kafka.output]\nerror_limit = 1\n");
    const auto limited = write_file(job.table + "_limited.toml", toml);
    auto r = run("dgkafka", {"load", "-quit-at-eof", limited});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data));
    EXPECT_NE(r.err.find(job.topic + "[0] offsets 0..4: kafka.output.error_limit of 1 rejected messages exceeded"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects")), 0);
    EXPECT_EQ(sql_value("SELECT string_agg(committed_offset::text, ',') FROM " + q(job.table + "_offset")), "0");

    // Without the limit the same messages load: 3 rows, 2 rejects.
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 3);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects")), 2);
}

TEST(BadInput, ErrorLimitPercentIsPerBatch) {
    Job job("limitpct");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    const auto path = prepare(job, " (id integer)", {"1", "2", "3", "4", "bad"});
    auto with_limit = [&](const std::string& limit) {
        std::string toml = job.toml();
        toml.replace(toml.find("[kafka.output]\n"), 15, "[kafka.output]\nerror_limit = \"" + limit + "\"\n");
        return write_file(job.table + "_" + limit.substr(0, limit.size() - 1) + ".toml", toml);
    };
    auto r = run("dgkafka", {"load", "-quit-at-eof", with_limit("10%")});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data));
    EXPECT_NE(r.err.find("1 of 5 messages rejected (20.0%), over kafka.output.error_limit of 10%"), std::string::npos)
        << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 0);
    r = run("dgkafka", {"load", "-quit-at-eof", with_limit("20%")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 4);
}

TEST(BadInput, ARejectedTombstoneKeepsItsValueAsNullNotEmpty) {
    Job job("tombstone");
    job.format = "json";
    create_topic(job.topic, 1);
    // kcat -Z: an empty value is sent as NULL (a tombstone); the second message is an empty value.
    const auto input = write_file(job.table + ".kcat", "k0:\n");
    const std::string cmd = "kcat -P -b " + brokers() + " -t " + job.topic + " -p 0 -Z -K: -l " + input;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    produce(job.topic, {{"", std::string("k1"), 0}});
    sql("CREATE TABLE " + q(job.table) + " (jdata json)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(\"offset\" || ':' || coalesce(length(value)::text, 'null'), ',' ORDER BY "
                        "\"offset\") FROM " +
                        q(job.table + "_rejects")),
              "0:null,1:0");
}

TEST(BadInput, AKeyThatIsNotTextLoadsThroughKeyBytes) {
    Job job("keybytes");
    job.format = "json";
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"k", "_key_bytes"}};
    create_topic(job.topic, 1);
    produce(job.topic, {{"{\"id\": 1}", std::string("k\xff"), 0}, {"{\"id\": 2}", std::nullopt, 0}});
    sql("CREATE TABLE " + q(job.table) + " (id int, k bytea)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 2 rows from 2 messages in 1 batches, 0 rejected", 0), 0u) << r.out;
    EXPECT_EQ(sql_value("SELECT string_agg(id || ':' || coalesce(encode(k, 'hex'), 'null'), ',' ORDER BY id) FROM " +
                        q(job.table)),
              "1:6bff,2:null");
}

TEST(BadInput, ALargeBatchThatViolatesACheckInEveryRowStopsWithinSeconds) {
    Job job("allcheck");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    job.max_row = 20000;
    job.minimal_interval = 60;  // one batch of all 20000: -quit-at-eof closes it at the end offsets
    std::vector<std::string> values;
    for (int i = 1; i <= 20000; ++i) values.push_back(std::to_string(i));
    const auto path = prepare(job, " (id integer CHECK (id < 0))", values);
    const auto started = std::chrono::steady_clock::now();
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.err;
    EXPECT_LT(seconds, 20.0) << "judged by a sample, not row by row";
    EXPECT_NE(r.err.find("the database refused every row tried (the batch of 20000 rows"), std::string::npos) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects")), 0);
    EXPECT_EQ(sql_value("SELECT string_agg(committed_offset::text, ',') FROM " + q(job.table + "_offset")), "0");
}

TEST(BadInput, RefusedRowsScatteredThroughALargeBatchAreIsolatedExactly) {
    Job job("scattered");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}};
    job.max_row = 20000;
    std::vector<std::string> values;
    for (int i = 1; i <= 20000; ++i) values.push_back(std::to_string(i % 97 == 0 ? -i : i));
    const auto path = prepare(job, " (id integer CHECK (id > 0))", values);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    const int64_t bad = 20000 / 97;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 20000 - bad);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table) + " WHERE id % 97 = 0"), 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects") + " WHERE sqlstate = '23514'"), bad);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table + "_rejects") + " WHERE (\"offset\" + 1) % 97 <> 0"), 0);
}

// The server speaks German (lc_messages for this test's sessions): isolation and reject reasons
// must not depend on English text.
TEST(BadInput, RefusedRowsAreFoundAndExplainedWhateverTheServerLanguage) {
    ASSERT_EQ(sql_value("SELECT count(*) FROM pg_settings WHERE name = 'lc_messages'"), "1");
    setenv("PGOPTIONS", "-c lc_messages=de_DE.UTF-8", 1);
    Job job("german");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "varchar(5)"}};
    std::vector<std::string> values;
    for (int i = 0; i < 40; ++i) values.push_back(std::to_string(i) + ",n" + std::to_string(i));
    values[0] = "x,first";      // not an integer
    values[17] = "17,toolong";  // too long
    values[25] = "-25,neg";     // violates the CHECK
    values[39] = "y,last";      // not an integer, last row
    const auto path = prepare(job, " (id integer CHECK (id >= 0), name varchar(5))", values);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    unsetenv("PGOPTIONS");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 36);
    const auto all = rejects(job);
    ASSERT_EQ(all.size(), 4u);
    expect_reject(all, 0, "0 22P02", "integer");
    expect_reject(all, 1, "17 22001", "varying(5)");
    expect_reject(all, 2, "25 23514", q(job.table).substr(1, job.table.size()));
    expect_reject(all, 3, "39 22P02", "integer");
    for (const auto& reject : all) {
        EXPECT_EQ(reject.find("FEHLER"), std::string::npos) << "no severity prefix: " << reject;
        EXPECT_EQ(reject.find("invalid input"), std::string::npos) << "the server should speak German: " << reject;
    }
    EXPECT_NE(all[0].find("Eingabesyntax"), std::string::npos) << all[0];
}

// A deferred foreign key, JSON nested deeper than the server's stack and an index row too large
// each reject their one message; the load goes on and commits the rest.
TEST(BadInput, DeferredConstraintsAndServerLimitsRejectTheRowNotTheLoad) {
    Job job("limits");
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"parent", "integer"}, {"tag", "text"}, {"doc", "text"}};
    sql("CREATE TABLE " + q(job.table + "_parent") + " (id integer PRIMARY KEY)");
    sql("INSERT INTO " + q(job.table + "_parent") + " VALUES (1), (2)");
    const std::string deep = std::string(20000, '[') + std::string(20000, ']');
    std::string huge;                   // incompressible: too large for a btree index row
    uint64_t x = 88172645463325252ULL;  // xorshift: letters pglz cannot compress
    for (int i = 0; i < 12000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        huge += static_cast<char>('a' + x % 26);
    }
    const auto path = prepare(job,
                              " (id integer, parent integer REFERENCES " + q(job.table + "_parent") +
                                  " DEFERRABLE INITIALLY DEFERRED, tag text UNIQUE, doc jsonb)",
                              {"1,1,a,1", "2,99,b,2", "3,2,c,\"" + deep + "\"", "4,2," + huge + ",4", "5,1,e,5"});
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + q(job.table)), "1,5");
    const auto all = rejects(job);
    ASSERT_EQ(all.size(), 3u);
    expect_reject(all, 0, "1 23503", "");  // the deferred foreign key, checked at the statement's end
    expect_reject(all, 1, "2 54001", "");  // JSON nested deeper than the server's stack
    expect_reject(all, 2, "3 54000", "");  // an index row too large
}
