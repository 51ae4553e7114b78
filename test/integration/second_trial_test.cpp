// Defects a second independent black-box trial found: each test failed before its fix.
#include <gtest/gtest.h>

#include <string>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
// The job's config, connecting as `role`.
std::string as_role(const Job& job, const std::string& role) {
    const std::string toml = job.toml();
    return write_file(job.table + "_" + role + ".toml",
                      "[dgkafka]\nuser = " + toml_string(role) + "\n" + toml.substr(std::string("[dgkafka]\n").size()));
}

const char* const job_suffixes[] = {"_offset", "_history", "_read", "_rejects"};
}  // namespace

// Setup by a second role, with what a loader needs granted on the tables another role made,
// leaves them alone (CREATE INDEX IF NOT EXISTS on the history was "must be owner", exit 4); the
// owner's setup still works.
TEST(SecondTrial, SetupByASecondRoleLeavesTheTablesOfAnotherAlone) {
    Job job("st_role");
    job.columns = {{"id", "integer"}, {"name", "text"}};
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    const std::string role = job.table + "_loader";
    sql("CREATE ROLE " + dgtest::quoted(role) + " LOGIN");
    std::string tables = dgtest::quoted(job.table);
    for (const char* suffix : job_suffixes) tables += ", " + dgtest::quoted(job.table + suffix);
    sql("GRANT ALL ON " + tables + " TO " + dgtest::quoted(role));
    sql("GRANT USAGE ON " + dgtest::quoted(job.table + "_history_id_seq") + ", " + dgtest::quoted(job.table + "_rejects_id_seq") +
        " TO " + dgtest::quoted(role));
    sql("GRANT TEMPORARY ON DATABASE " + dgtest::quoted(sql_value("SELECT current_database()")) + " TO " + dgtest::quoted(role));
    const auto role_path = as_role(job, role);
    sql("DROP INDEX " + dgtest::quoted(job.table + "_history_by_partition"));  // as an earlier tool's table

    auto r = run("dgkafka", {"setup", role_path});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const char* suffix : job_suffixes)
        EXPECT_NE(r.out.find("exists:  " + job.table + suffix + " (in schema public)\n"), std::string::npos)
            << suffix << "\n" << r.out;
    EXPECT_EQ(r.out.find("created:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("note:    " + job.table + "_history has no index " + job.table +
                         "_history_by_partition: its owner's `dgkafka setup` adds it\n"),
              std::string::npos)
        << r.out;

    create_topic(job.topic, 1);
    produce(job.topic, {{"1|a"}, {"2|b"}});
    r = run("dgkafka", {"load", "-quit-at-eof", role_path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table)), 2);

    r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("exists:  " + job.table + "_offset"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("created: index " + job.table + "_history_by_partition on " + job.table + "_history\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(sql_value("SELECT to_regclass('" + job.table + "_history_by_partition') IS NOT NULL"), "t");
}

// With a search_path whose first schema lacks the tables, setup said "exists:" for the ones found
// further along it and created others of the same names in the first schema.
TEST(SecondTrial, SetupSaysWhereItFoundOrCreatedTheTables) {
    Job job("st_path");
    job.columns = {{"id", "integer"}};
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    ASSERT_EQ(run("dgkafka", {"setup", job.write()}).code, 0);

    const std::string role = job.table + "_admin";
    const std::string schema = job.table + "_s";
    sql("CREATE ROLE " + dgtest::quoted(role) + " LOGIN SUPERUSER");
    sql("CREATE SCHEMA " + dgtest::quoted(schema));
    sql("ALTER ROLE " + dgtest::quoted(role) + " SET search_path = " + dgtest::quoted(schema) + ", public");

    auto r = run("dgkafka", {"setup", as_role(job, role)});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const char* suffix : job_suffixes)
        EXPECT_NE(r.out.find("exists:  " + job.table + suffix + " (in schema public)\n"), std::string::npos)
            << suffix << "\n" << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), 0)
        << "nothing made beside the tables found";

    Job fresh("st_path_new");
    fresh.columns = {{"id", "integer"}};
    r = run("dgkafka", {"setup", as_role(fresh, role)});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("created: " + fresh.table + "_offset (in schema " + schema + ")\n"), std::string::npos)
        << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), 4);
}

// A tombstone the database refuses (its key is no integer) keeps value NULL in its reject, like
// a keyless one; it was stored as '' (0 bytes).
TEST(SecondTrial, ARefusedTombstoneKeepsItsValueNull) {
    Job job("st_tomb");
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

// The summary counts the messages the filter left out.
TEST(SecondTrial, TheSummaryCountsTheFilteredOutMessages) {
    Job job("st_filter");
    job.columns = {{"id", "integer"}};
    job.filter = "id <> 2";
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer)");
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}, {"3"}});
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("LOAD 2 rows from 3 messages in 1 batches, 0 rejected, 1 filtered out, ", 0), 0u) << r.out;
}
