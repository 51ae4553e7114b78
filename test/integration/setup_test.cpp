// dgkafka setup against the sandbox PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
std::string regclass(const std::string& quoted) { return sql_value("SELECT to_regclass('" + quoted + "')::text"); }

// The job's config, connecting as `role`.
std::string as_role(const Job& job, const std::string& role) {
    const std::string toml = job.toml();
    return write_file(job.table + "_" + role + ".toml",
                      "[dgkafka]\nuser = " + toml_string(role) + "\n" + toml.substr(std::string("[dgkafka]\n").size()));
}

const char* const job_suffixes[] = {"_offset", "_history", "_read", "_rejects"};

// A job whose output table (id integer) lives in a schema of its own.
struct SchemaJob {
    std::string schema;
    Job job;
    explicit SchemaJob(const std::string& name) : schema(unique_name(name + "_schema")), job(name) {
        job.columns = {{"id", "integer"}};
        sql("CREATE SCHEMA " + dgtest::quoted(schema));
        sql("CREATE TABLE " + dgtest::quoted(schema) + "." + dgtest::quoted(job.table) + " (id integer)");
    }
    // The job's config, written with the schema before the tables that `keys` name (none: as is).
    std::string config(const std::string& suffix, const std::vector<std::string>& keys = {}) const {
        std::string toml = job.toml();
        for (const auto& key : keys) {
            const auto at = toml.find("\n" + key + " = \"");
            EXPECT_NE(at, std::string::npos) << key;
            if (at != std::string::npos) toml.insert(at + key.size() + 5, schema + ".");
        }
        return write_file(job.table + suffix + ".toml", toml);
    }
};
}  // namespace

TEST(Setup, CreatesEveryTableAndRunningItAgainKeepsTheirRows) {
    Job job("setup");
    job.columns = {{"id", "integer"}, {"name", "text"}};
    sql("CREATE TABLE \"" + job.table + "\" (id integer, name text)");
    const auto path = job.write();

    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    for (const auto& suffix : {"_offset", "_history", "_read", "_rejects"})
        EXPECT_NE(regclass("\"" + job.table + suffix + "\""), "") << suffix;
    EXPECT_NE(r.out.find("created: " + job.table + "_offset"), std::string::npos) << r.out;
    EXPECT_EQ(sql_value("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '\"" +
                        job.table + "_read\"'::regclass AND attnum > 0"),
              "id,name,_key,_partition,_offset,_timestamp");

    sql("INSERT INTO \"" + job.table +
        "_offset\" (consumer_group, topic, output_table, partition_number, committed_offset) VALUES ('g', 't', 'x', 0, "
        "42)");
    r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("exists:  " + job.table + "_offset"), std::string::npos) << r.out;
    EXPECT_EQ(sql_count("SELECT committed_offset FROM \"" + job.table + "_offset\""), 42);
}

TEST(Setup, QuotedAndSchemaQualifiedNamesAreCreatedRight) {
    const std::string schema = unique_name("Sales Dept");
    sql("CREATE SCHEMA \"" + schema + "\"");
    sql("CREATE TABLE \"" + schema + "\".\"Order Lines\" (\"Qty\" integer, \"a\"\"b\" text)");
    Job job("quoted");
    job.columns = {{"Qty", "integer"}, {"a\"b", "text"}};
    job.extra = "";
    std::string toml = job.toml();
    auto replace = [&](const std::string& from, const std::string& to) {
        const auto at = toml.find(from);
        ASSERT_NE(at, std::string::npos);
        toml.replace(at, from.size(), to);
    };
    replace("output_table = " + toml_string(job.table), "output_table = " + toml_string(schema + ".Order Lines"));
    replace("ext_read_table = " + toml_string(job.table + "_read"), "ext_read_table = " + toml_string("a\"b"));
    const auto path = write_file(job.table + ".toml", toml);

    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(regclass("\"" + schema + "\".\"Order Lines_rejects\""), "");
    EXPECT_NE(regclass("\"a\"\"b\""), "");

    create_topic(job.topic, 1);
    produce(job.topic, {{"5|x"}, {"6|\"quoted|pipe\""}});
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(\"Qty\" || '=' || \"a\"\"b\", ',' ORDER BY \"Qty\") FROM \"" + schema +
                        "\".\"Order Lines\""),
              "5=x,6=quoted|pipe");
    sql("DROP TABLE \"a\"\"b\"");
}

TEST(Setup, AMissingOutputTableIsANoteBecauseTheSpecCreatesItAfterSetup) {
    Job job("nooutput");
    job.columns = {{"id", "integer"}};
    auto r = run("dgkafka", {"setup", job.write()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("output table " + job.table + " does not exist yet"), std::string::npos) << r.out;
}

TEST(Setup, NamesTheMappingTargetColumnTheOutputTableLacks) {
    Job job("nocolumn");
    job.format = "json";
    job.mappings = {{"cust_id", "(jdata->>'customer_id')::int"}, {"j1, j2", "(jdata->>'a'), (jdata->>'b')"}};
    sql("CREATE TABLE \"" + job.table + "\" (cust_id int, j1 text)");
    auto r = run("dgkafka", {"setup", job.write()});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find("has no column \"j2\" (named in kafka.output.mappings)"), std::string::npos) << r.err;
}

TEST(Setup, AnUnreachableDatabaseHasItsOwnExitCode) {
    Job job("nodb");
    job.columns = {{"id", "integer"}};
    const auto path =
        write_file(job.table + ".toml", "[dgkafka]\nhost = \"127.0.0.1\"\nport = 1\npassword = \"s3cr3t-pw\"\n" +
                                            job.toml().substr(std::string("[dgkafka]\n").size()));
    auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::database)) << r.err;
    EXPECT_NE(r.err.find("cannot connect to the database"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos);
}

TEST(Setup, BadConfigExitsWithTheConfigCodeNamingFileLineAndKey) {
    Job job("badcfg");
    job.columns = {{"id", "integer"}};
    job.extra = "[kafka.comit]\nmax_row = 5\n";
    const auto path = job.write();
    auto r = run("dgkafka", {"setup", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find(path + ":"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("kafka.comit: unknown key (did you mean \"kafka.commit\"?)"), std::string::npos) << r.err;
}

// Offset tables named without a schema resolve through search_path. Under a search_path that
// starts with the output table's schema, setup leaves the existing tables alone (no second, empty
// set of offset tables), and an offset table that resolves elsewhere than the job's stored
// offsets is refused, so nothing loads twice.
TEST(Setup, AnotherSearchPathNeverMakesASecondOffsetTableNorLoadsTwice) {
    SchemaJob s("search_path");
    const auto& schema = s.schema;
    const auto& job = s.job;
    const auto unqualified = s.config("_plain");
    const auto qualified = s.config("", {"output_table"});
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}, {"3"}});
    ASSERT_EQ(run("dgkafka", {"setup", qualified}).code, 0);
    ASSERT_EQ(run("dgkafka", {"load", "-quit-at-eof", qualified}).code, 0);

    setenv("PGOPTIONS", ("-c search_path=" + schema + ",public").c_str(), 1);
    const auto setup = run("dgkafka", {"setup", unqualified});
    const auto load = run("dgkafka", {"load", "-quit-at-eof", unqualified});
    sql("CREATE TABLE " + dgtest::quoted(schema) + "." + dgtest::quoted(job.table + "_offset") + " (LIKE " +
        dgtest::quoted(job.table + "_offset") + " INCLUDING ALL)");
    const auto shadowed = run("dgkafka", {"load", "-quit-at-eof", unqualified});
    unsetenv("PGOPTIONS");

    EXPECT_EQ(setup.out.find("created:"), std::string::npos) << setup.out;
    EXPECT_NE(setup.out.find("exists:  " + job.table + "_offset"), std::string::npos) << setup.out;
    EXPECT_EQ(load.code, static_cast<int>(Exit::config)) << load.err;
    EXPECT_NE(load.err.find("are stored as \"" + schema + "." + job.table + "\""), std::string::npos) << load.err;
    EXPECT_EQ(shadowed.code, static_cast<int>(Exit::config)) << shadowed.err;
    EXPECT_NE(shadowed.err.find("stored in public." + job.table + "_offset for output table \"" + schema + "." +
                                job.table + "\""),
              std::string::npos)
        << shadowed.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(schema) + "." + dgtest::quoted(job.table)), 3);

    // A table of that name that is not an offset table, elsewhere, is none of the job's business.
    const std::string unrelated = unique_name("other");
    sql("CREATE SCHEMA " + dgtest::quoted(unrelated));
    sql("CREATE TABLE " + dgtest::quoted(unrelated) + "." + dgtest::quoted(job.table + "_offset") + " (a integer)");
    sql("DROP TABLE " + dgtest::quoted(schema) + "." + dgtest::quoted(job.table + "_offset"));
    const auto checked = run("dgkafka", {"check", qualified});
    EXPECT_EQ(checked.code, 0) << checked.out << checked.err;
}

// Offsets stored for a table named without a schema, under a search_path that found it: the same
// table named with its schema later, under the default search_path, is the same job.
TEST(Setup, OffsetsStoredWithoutASchemaUnderAnotherSearchPathAreNotLoadedAgain) {
    SchemaJob s("stored_plain");
    const auto& schema = s.schema;
    const auto& job = s.job;
    const auto plain = s.config("_plain");
    const auto output_only = s.config("_output", {"output_table"});
    const auto all = s.config("_all", {"output_table", "ext_offset_table", "offset_table"});
    create_topic(job.topic, 1);
    produce(job.topic, {{"1"}, {"2"}, {"3"}});
    setenv("PGOPTIONS", ("-c search_path=" + schema).c_str(), 1);
    const auto setup = run("dgkafka", {"setup", plain});
    const auto load = run("dgkafka", {"load", "-quit-at-eof", plain});
    unsetenv("PGOPTIONS");
    ASSERT_EQ(setup.code, 0) << setup.err;
    ASSERT_EQ(load.code, 0) << load.err;

    for (const auto& path : {all, output_only}) {
        const auto setup_again = run("dgkafka", {"setup", path});
        EXPECT_EQ(setup_again.code, static_cast<int>(Exit::config)) << path << ": " << setup_again.err;
        EXPECT_NE(setup_again.err.find("names no table under this session's search_path"), std::string::npos)
            << setup_again.err;
        const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
        EXPECT_NE(r.code, 0) << path << ": " << r.out << r.err;
    }
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(schema) + "." + dgtest::quoted(job.table)), 3);
}

// Setups at once are serialized; `created:` is said only for what was committed; a bad
// column type is a config error naming file, line and key.
TEST(Setup, ConcurrentSetupsAreSerializedAndABadColumnTypeIsAConfigError) {
    Job job("setups3");
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

    Job bad("badtype");
    bad.columns = {{"id", "bigint"}, {"p", "integr"}};
    const auto bad_path = bad.write();
    const auto r = run("dgkafka", {"setup", bad_path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.out << r.err;
    const auto toml = bad.toml();
    const auto line =
        1 + std::count(toml.begin(), toml.begin() + static_cast<long>(toml.find("type = \"integr\"")), '\n');
    EXPECT_NE(r.err.find(bad_path + ":" + std::to_string(line) +
                         ": kafka.input.columns[1].type: \"integr\" is not a PostgreSQL type"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out.find("created:"), std::string::npos) << r.out;
    EXPECT_EQ(sql_value("SELECT to_regclass('" + bad.table + "_offset') IS NULL"), "t") << "nothing was created";
}

// Setup by a second role, with what a loader needs granted on the tables another role made,
// leaves them alone: it adds no index to a table it does not own (a note says the owner's setup
// adds it); the owner's setup still works.
TEST(Setup, ByASecondRoleLeavesTheTablesOfAnotherAlone) {
    Job job("role2");
    job.columns = {{"id", "integer"}, {"name", "text"}};
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id integer, name text)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);

    const std::string role = job.table + "_loader";
    sql("CREATE ROLE " + dgtest::quoted(role) + " LOGIN");
    std::string tables = dgtest::quoted(job.table);
    for (const char* suffix : job_suffixes) tables += ", " + dgtest::quoted(job.table + suffix);
    sql("GRANT ALL ON " + tables + " TO " + dgtest::quoted(role));
    sql("GRANT USAGE ON " + dgtest::quoted(job.table + "_history_id_seq") + ", " +
        dgtest::quoted(job.table + "_rejects_id_seq") + " TO " + dgtest::quoted(role));
    sql("GRANT TEMPORARY ON DATABASE " + dgtest::quoted(sql_value("SELECT current_database()")) + " TO " +
        dgtest::quoted(role));
    const auto role_path = as_role(job, role);
    sql("DROP INDEX " + dgtest::quoted(job.table + "_history_by_partition"));  // as an earlier tool's table

    auto r = run("dgkafka", {"setup", role_path});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const char* suffix : job_suffixes)
        EXPECT_NE(r.out.find("exists:  " + job.table + suffix + " (in schema public)\n"), std::string::npos)
            << suffix << "\n"
            << r.out;
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

// With a search_path whose first schema lacks the tables, setup says "exists:" with the schema
// it found them in further along the path and creates nothing beside them; new ones go to the
// first schema.
TEST(Setup, SaysWhereItFoundOrCreatedTheTables) {
    Job job("spath");
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
            << suffix << "\n"
            << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), 0)
        << "nothing made beside the tables found";

    Job fresh("spath_new");
    fresh.columns = {{"id", "integer"}};
    r = run("dgkafka", {"setup", as_role(fresh, role)});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("created: " + fresh.table + "_offset (in schema " + schema + ")\n"), std::string::npos)
        << r.out;
    EXPECT_EQ(sql_count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), 4);
}
