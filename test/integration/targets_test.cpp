// [[kafka.output.targets]]: one read of a topic into several tables, each through its own filter,
// mappings and mode, all of a batch and its offsets in one transaction; what becomes of a message
// no table takes (kafka.output.unmatched).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "support/scrape.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {

// A game's event stream (seed 004): purchases, guild joins, and other events.
std::vector<Record> game_events(int n) {
    std::vector<Record> out;
    for (int i = 1; i <= n; ++i) {
        std::string e;
        if (i % 3 == 0)
            e = R"({"type": "purchase", "id": )" + std::to_string(i) + R"(, "amount": )" + std::to_string(i * 10) + "}";
        else if (i % 3 == 1)
            e = R"({"type": "guild_join", "id": )" + std::to_string(i) + R"(, "guild": "g)" + std::to_string(i % 7) +
                "\"}";
        else
            e = R"({"type": "login", "id": )" + std::to_string(i) + "}";
        out.push_back({e, std::nullopt, i % 2});
    }
    return out;
}

// The game job: purchases and guild joins each into a table of their own, `extra_targets`
// appended, `unmatched` as given (empty: the default).
struct GameJob {
    Job job;
    std::string purchases, joins;

    GameJob(const std::string& name, const std::string& unmatched, const std::string& extra_targets = "")
        : job(name), purchases(job.table + "_purchases"), joins(job.table + "_joins") {
        job.format = "json";
        create_topic(job.topic, 2);
        sql("CREATE TABLE " + dgtest::quoted(purchases) +
            " (id integer PRIMARY KEY, amount integer CHECK (amount < 5000))");
        sql("CREATE TABLE " + dgtest::quoted(joins) + " (id integer, guild text)");
        // The job's own output keys are the targets'.
        std::string t = job.toml();
        t.replace(t.find("output_table = "), t.find('\n', t.find("output_table = ")) + 1 - t.find("output_table = "),
                  "");
        std::string targets = unmatched.empty() ? "" : "unmatched = " + toml_string(unmatched) + "\n";
        targets += "[[kafka.output.targets]]\noutput_table = " + toml_string(purchases) +
                   "\nfilter = \"jdata->>'type' = 'purchase'\"\n"
                   "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n"
                   "[[kafka.output.targets.mappings]]\nname = \"amount\"\nkey = \"(jdata->>'amount')::int\"\n"
                   "[[kafka.output.targets]]\noutput_table = " +
                   toml_string(joins) +
                   "\nfilter = \"jdata->>'type' = 'guild_join'\"\n"
                   "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n"
                   "[[kafka.output.targets.mappings]]\nname = \"guild\"\nkey = \"jdata->>'guild'\"\n" +
                   extra_targets;
        t.insert(t.find("[kafka.commit]"), targets);
        path = write_file(job.table + ".toml", t);
        const auto s = run("dgkafka", {"setup", path});
        EXPECT_EQ(s.code, 0) << s.err;
    }
    std::string path;

    int64_t stored_offsets() const {
        return sql_count("SELECT coalesce(sum(committed_offset), 0) FROM " + dgtest::quoted(job.table + "_offset"));
    }
    int64_t rejects() const { return sql_count("SELECT count(*) FROM " + dgtest::quoted(purchases + "_rejects")); }
};

}  // namespace

TEST(Targets, OneReadOfTheTopicFillsEachTableItsFilterTakes) {
    GameJob game("targets", "skip",
                 "[[kafka.output.targets]]\noutput_table = \"targets_all_events\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n");
    sql("DROP TABLE IF EXISTS targets_all_events; CREATE TABLE targets_all_events (id integer)");
    produce(game.job.topic, game_events(300));
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.purchases)), 100);
    EXPECT_EQ(sql_count("SELECT sum(amount) FROM " + dgtest::quoted(game.purchases)), 10 * (3 * 100 * 101 / 2));
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.joins) + " WHERE guild = 'g' || (id % 7)"), 100);
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM targets_all_events"), 300);
    EXPECT_EQ(game.stored_offsets(), 300);
    EXPECT_NE(r.out.find("LOAD 500 rows (" + game.purchases + " 100, " + game.joins +
                         " 100, targets_all_events 300) from 300 messages"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("0 taken by no table (skip)"), std::string::npos) << r.out;

    const auto c = run("dgkafka", {"check", game.path});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("Output table = " + game.purchases + ": local\nOutput table = " + game.joins +
                         ": local\nOutput table = targets_all_events: local\n"),
              std::string::npos)
        << c.out;
}

TEST(Targets, AMessageNoTableTakesIsCountedUnderSkip) {
    GameJob game("tskip", "skip");
    produce(game.job.topic, game_events(30));
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("LOAD 20 rows (" + game.purchases + " 10, " + game.joins + " 10) from 30 messages"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(", 10 taken by no table (skip)"), std::string::npos) << r.out;
    EXPECT_EQ(game.rejects(), 0);
    EXPECT_EQ(game.stored_offsets(), 30);
}

TEST(Targets, AMessageNoTableTakesIsRejectedByDefault) {
    GameJob game("treject", "");
    produce(game.job.topic, game_events(30));
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(game.rejects(), 10);
    EXPECT_EQ(
        sql_count("SELECT count(*) FROM " + dgtest::quoted(game.purchases + "_rejects") +
                  " WHERE convert_from(value, 'UTF8') LIKE '%login%' AND error = 'no output table''s filter takes this "
                  "message (kafka.output.unmatched = \"reject\")'"),
        10);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.purchases)), 10);
    EXPECT_EQ(game.stored_offsets(), 30);
}

TEST(Targets, AMessageNoTableTakesStopsTheLoadBeforeItsBatchCommitsUnderStop) {
    GameJob game("tstop", "stop");
    produce(game.job.topic, {{R"({"type": "purchase", "id": 1, "amount": 5})", std::nullopt, 0},
                             {R"({"type": "login", "id": 2})", std::nullopt, 0}});
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::data)) << r.err;
    EXPECT_NE(r.err.find("topic " + game.job.topic +
                         " partition 0 offset 1: no output table's filter takes this message "
                         "(kafka.output.unmatched = \"stop\")"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.purchases)), 0);
    EXPECT_EQ(game.stored_offsets(), 0);
}

// A purchase the purchases table refuses (CHECK) is rejected naming that table; the same
// batch's guild joins stay, and a duplicate purchase is refused alone.
TEST(Targets, ARowOneTableRefusesIsRejectedNamingTheTableAndTheOthersKeepTheirRows) {
    GameJob game("trefuse", "skip");
    produce(game.job.topic, {{R"({"type": "guild_join", "id": 1, "guild": "a"})", std::nullopt, 0},
                             {R"({"type": "purchase", "id": 2, "amount": 9000})", std::nullopt, 0},
                             {R"({"type": "purchase", "id": 3, "amount": 30})", std::nullopt, 0},
                             {R"({"type": "guild_join", "id": 4, "guild": "b"})", std::nullopt, 0},
                             {R"({"type": "purchase", "id": 3, "amount": 31})", std::nullopt, 0}});
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(
        sql_value("SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM " + dgtest::quoted(game.purchases)),
        "3:30");
    EXPECT_EQ(sql_value("SELECT string_agg(id || guild, ',' ORDER BY id) FROM " + dgtest::quoted(game.joins)), "1a,4b");
    EXPECT_EQ(
        sql_value("SELECT string_agg(sqlstate || ' ' || split_part(error, ':', 1), ',' ORDER BY \"offset\") FROM " +
                  dgtest::quoted(game.purchases + "_rejects")),
        "23514 " + game.purchases + ",23505 " + game.purchases);
    EXPECT_EQ(game.stored_offsets(), 5);
}

// A load killed while its batch is in the database leaves no table and no offset moved; the next
// run loads every message once into each table.
TEST(Targets, AKillMidBatchRollsBackEveryTableAndTheOffsetsTogether) {
    GameJob game("tkill", "skip");
    // The joins table's trigger holds the batch's transaction open after the purchases went in.
    sql("CREATE FUNCTION " + dgtest::quoted(game.joins + "_slow") +
        "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$");
    sql("CREATE TRIGGER slow AFTER INSERT ON " + dgtest::quoted(game.joins) + " FOR EACH STATEMENT EXECUTE FUNCTION " +
        dgtest::quoted(game.joins + "_slow") + "()");
    produce(game.job.topic, game_events(60));
    auto load = spawn("dgkafka", {"load", "-quit-at-eof", game.path});
    const std::string sleeping = "FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%" + game.joins +
                                 "%' AND pid <> pg_backend_pid()";
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) " + sleeping) > 0; }, std::chrono::seconds(60)));
    kill(load.pid, SIGKILL);
    EXPECT_EQ(load.wait().code, 128 + SIGKILL);
    // The server notices the client is gone only when the sleep ends: cancel it.
    sql("SELECT pg_cancel_backend(pid) " + sleeping);
    ASSERT_TRUE(wait_until([&] { return sql_count("SELECT count(*) " + sleeping) == 0; }, std::chrono::seconds(30)));
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.purchases)), 0);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.joins)), 0);
    EXPECT_EQ(game.stored_offsets(), 0);

    sql("DROP TRIGGER slow ON " + dgtest::quoted(game.joins));
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + dgtest::quoted(game.purchases)), 20);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(game.joins)), 20);
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + dgtest::quoted(game.joins)), 20);
    EXPECT_EQ(game.stored_offsets(), 60);
}

// A target in merge mode beside one in insert mode: the latest amount per id, every event logged.
TEST(Targets, EachTableHasItsOwnMode) {
    Job job("tmode");
    job.format = "json";
    create_topic(job.topic, 1);
    const std::string latest = job.table + "_latest", log = job.table + "_log";
    sql("CREATE TABLE " + dgtest::quoted(latest) + " (id integer PRIMARY KEY, amount integer)");
    sql("CREATE TABLE " + dgtest::quoted(log) + " (id integer, amount integer)");
    std::string t = job.toml();
    t.replace(t.find("output_table = "), t.find('\n', t.find("output_table = ")) + 1 - t.find("output_table = "), "");
    t.insert(t.find("[kafka.commit]"),
             "[[kafka.output.targets]]\noutput_table = " + toml_string(latest) +
                 "\nmode = \"merge\"\nmatch_columns = [\"id\"]\n"
                 "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"amount\"\nkey = \"(jdata->>'amount')::int\"\n"
                 "[[kafka.output.targets]]\noutput_table = " +
                 toml_string(log) +
                 "\n[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"amount\"\nkey = \"(jdata->>'amount')::int\"\n");
    const auto path = write_file(job.table + ".toml", t);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    produce(job.topic, {{R"({"id": 1, "amount": 1})"}, {R"({"id": 2, "amount": 2})"}, {R"({"id": 1, "amount": 3})"}});
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM " + dgtest::quoted(latest)),
              "1:3,2:2");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(log)), 3);
}

TEST(Targets, AMissingTargetColumnIsAConfigErrorNamingTheTarget) {
    GameJob game("tcols", "skip",
                 "[[kafka.output.targets]]\noutput_table = \"tcols_nowhere\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n");
    const auto r = run("dgkafka", {"load", "-quit-at-eof", game.path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.err.find("output table tcols_nowhere does not exist"), std::string::npos) << r.err;
}

// /metrics counts each table's rows and the messages no table took.
TEST(Targets, MetricsCountEachTablesRowsAndTheUnmatchedMessages) {
    GameJob game("tmetrics", "skip");
    produce(game.job.topic, game_events(30));
    const int port = free_port();
    auto load = spawn("dgkafka", {"load", "-metrics-address", "127.0.0.1:" + std::to_string(port), game.path});
    const std::string job = "consumer_group=\"" + game.job.group + "\",topic=\"" + game.job.topic + "\"";
    std::string text;
    ASSERT_TRUE(wait_until(
        [&] {
            text = scrape(port);
            return series(text, "dgkafka_messages_consumed_total{" + job + "}") == 30;
        },
        std::chrono::seconds(60)))
        << text;
    kill(load.pid, SIGTERM);
    EXPECT_EQ(load.wait().code, 0);
    EXPECT_EQ(series(text, "dgkafka_table_rows_loaded_total{" + job + ",table=\"" + game.purchases + "\"}"), 10)
        << text;
    EXPECT_EQ(series(text, "dgkafka_table_rows_loaded_total{" + job + ",table=\"" + game.joins + "\"}"), 10) << text;
    EXPECT_EQ(series(text, "dgkafka_messages_unmatched_total{" + job + "}"), 10) << text;
}

// A message every table refuses is one reject, naming each table's reason, and counts once
// against error_limit.
TEST(Targets, AMessageSeveralTablesRefuseIsOneRejectCountedOnce) {
    Job job("tonce");
    job.columns = {{"id", "integer"}};
    job.output_extra = "error_limit = 1\nunmatched = \"skip\"\n";
    create_topic(job.topic, 1);
    std::string t = job.toml();
    t.replace(t.find("output_table = "), t.find('\n', t.find("output_table = ")) + 1 - t.find("output_table = "), "");
    std::string targets;
    for (const std::string name : {"a", "b", "c"}) {
        sql("CREATE TABLE " + dgtest::quoted(job.table + "_" + name) + " (id integer CHECK (id <> 3))");
        targets += "[[kafka.output.targets]]\noutput_table = " + toml_string(job.table + "_" + name) + "\n";
    }
    t.insert(t.find("[kafka.commit]"), targets);
    const auto path = write_file(job.table + ".toml", t);
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    std::vector<Record> records;
    for (int i = 1; i <= 20; ++i) records.push_back({std::to_string(i)});
    produce(job.topic, records);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(" from 20 messages in 1 batches, 1 rejected"), std::string::npos) << r.out;
    for (const std::string name : {"a", "b", "c"})
        EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_" + name)), 19) << name;
    const auto rejects = dgtest::quoted(job.table + "_a_rejects");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + rejects), 1);
    const auto error = sql_value("SELECT error FROM " + rejects);
    for (const std::string name : {"a", "b", "c"})
        EXPECT_NE(error.find(job.table + "_" + name + ": "), std::string::npos) << error;
    EXPECT_EQ(sql_value("SELECT sqlstate FROM " + rejects), "23514");
}

// setup reports every target's table: ready, not created yet, or what is missing, naming the target.
TEST(Targets, SetupChecksEveryTargetsTable) {
    GameJob game("tsetup", "skip",
                 "[[kafka.output.targets]]\noutput_table = \"tsetup_later\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"id\"\nkey = \"(jdata->>'id')::int\"\n"
                 "[[kafka.output.targets]]\noutput_table = \"tsetup_short\"\n"
                 "[[kafka.output.targets.mappings]]\nname = \"idx\"\nkey = \"(jdata->>'id')::int\"\n");
    sql("DROP TABLE IF EXISTS tsetup_short; CREATE TABLE tsetup_short (id integer)");
    const auto r = run("dgkafka", {"setup", game.path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config)) << r.err;
    EXPECT_NE(r.out.find("ready:   output table " + game.purchases + " has every target column"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("note:    output table tsetup_later does not exist yet"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("output table tsetup_short has no column \"idx\" (named in kafka.output.targets[3].mappings)"),
              std::string::npos)
        << r.err;
}
