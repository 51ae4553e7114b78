// Rows the database refuses (constraints, triggers, mappings): each is rejected with the
// database's SQLSTATE and reason, every other row loads once, the offsets move past both. The
// batch is written again server-side (schemas/refused_create.sql); errors raised at the end of a
// statement take the halving search (isolation.cpp).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;
using namespace std::chrono_literals;

namespace {
std::string q(const std::string& name) { return "\"" + name + "\""; }

Result setup_and_load(const std::string& path) {
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", path});
}

struct Outcome {
    int code = -1;
    std::string err;
    int64_t loaded = 0;
    std::vector<std::string> rejects;  // "offset sqlstate", in offset order
    std::string offsets;               // "partition:offset"
};

// One partition, one batch (max_row; no interval: a poll that finds the queue empty for a moment
// does not end it) or batches of `batch` rows, `values` as CSV "id,name" messages.
Outcome load(Job& job, const std::string& ddl, const std::vector<std::string>& values, const std::string& after = "",
             size_t batch = 0) {
    job.delimiter = ",";
    if (job.columns.empty()) job.columns = {{"id", "integer"}, {"name", "text"}};
    job.max_row = static_cast<int>(batch ? batch : values.size());
    job.minimal_interval = 600;
    create_topic(job.topic, 1);
    std::vector<Record> records;
    for (const auto& v : values) records.push_back({v, "k" + std::to_string(records.size()), 0});
    produce(job.topic, records);
    sql("CREATE TABLE " + q(job.table) + ddl);
    if (!after.empty()) sql(after);
    const auto path = job.write();
    EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    Outcome out{r.code, r.err, sql_count("SELECT count(*) FROM " + q(job.table)), {}, ""};
    auto c = db();
    pqxx::nontransaction tx(*c);
    for (const auto& row : tx.exec("SELECT \"offset\" || ' ' || coalesce(sqlstate, '-') FROM " +
                                   q(job.table + "_rejects") + " ORDER BY \"offset\""))
        out.rejects.push_back(row[0].as<std::string>());
    out.offsets = sql_value("SELECT string_agg(partition_number || ':' || committed_offset, ',') FROM " +
                            q(job.table + "_offset"));
    return out;
}

std::vector<std::string> expected(const std::vector<std::pair<int, std::string>>& rejects) {
    std::vector<std::string> out;
    for (const auto& [offset, state] : rejects) out.push_back(std::to_string(offset) + " " + state);
    return out;
}

// Every row of `refused` rejected with `sqlstate`.
std::vector<std::string> expected(const std::set<int>& refused, const std::string& sqlstate) {
    std::vector<std::pair<int, std::string>> rejects;
    for (int i : refused) rejects.emplace_back(i, sqlstate);
    return expected(rejects);
}

// "id,name" rows 1..n, ids negated where `refused` holds.
std::vector<std::string> rows(int n, const std::set<int>& refused) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::to_string(refused.count(i) ? -(i + 1) : i + 1) + ",n" + std::to_string(i));
    return out;
}
}  // namespace

TEST(RefusedRows, AtTheStartTheMiddleAndTheEndOfABatch) {
    Job job("refused_ends");
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(1000, {0, 1, 500, 998, 999}));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 995);
    EXPECT_EQ(r.rejects, expected({{0, "23514"}, {1, "23514"}, {500, "23514"}, {998, "23514"}, {999, "23514"}}));
    EXPECT_EQ(r.offsets, "0:1000");
    EXPECT_EQ(sql_count("SELECT count(DISTINCT id) FROM " + q(job.table) + " WHERE id > 0"), 995);
}

TEST(RefusedRows, EveryOtherRow) {
    Job job("refused_alternate");
    std::set<int> odd;
    for (int i = 1; i < 600; i += 2) odd.insert(i);
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(600, odd));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 300);
    ASSERT_EQ(r.rejects.size(), 300u);
    for (size_t i = 0; i < r.rejects.size(); ++i) EXPECT_EQ(r.rejects[i], std::to_string(2 * i + 1) + " 23514");
    EXPECT_EQ(r.offsets, "0:600");
}

// Fewer rows than the sample that judges the job: each is rejected, none stops the load.
TEST(RefusedRows, AllRowsOfASmallBatch) {
    Job job("refused_all");
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(6, {0, 1, 2, 3, 4, 5}));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 0);
    EXPECT_EQ(r.rejects,
              expected({{0, "23514"}, {1, "23514"}, {2, "23514"}, {3, "23514"}, {4, "23514"}, {5, "23514"}}));
    EXPECT_EQ(r.offsets, "0:6");
}

// NOT NULL, CHECK, a duplicate key within the batch and a BEFORE trigger that raises: each is
// the refused row's own error, raised while that row is inserted.
TEST(RefusedRows, NotNullCheckUniqueWithinTheBatchAndABeforeTrigger) {
    Job job("refused_kinds");
    std::vector<std::string> values;
    for (int i = 0; i < 300; ++i) values.push_back(std::to_string(i) + ",n" + std::to_string(i));
    values[3] = "3,";          // NULL name
    values[40] = "-40,n40";    // CHECK
    values[41] = "7,n41";      // the key of row 7, earlier in the batch
    values[150] = "150,boom";  // the trigger raises
    values[299] = "299,";      // NULL name, last row
    const auto r = load(job, " (id integer PRIMARY KEY CHECK (id >= 0), name text NOT NULL)", values,
                        "CREATE FUNCTION " + q(job.table + "_boom") +
                            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'boom' THEN "
                            "RAISE EXCEPTION 'boom at %', NEW.id; END IF; RETURN NEW; END $$; "
                            "CREATE TRIGGER boom BEFORE INSERT ON " +
                            q(job.table) + " FOR EACH ROW EXECUTE FUNCTION " + q(job.table + "_boom") + "()");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 295);
    EXPECT_EQ(r.rejects, expected({{3, "23502"}, {40, "23514"}, {41, "23505"}, {150, "P0001"}, {299, "23502"}}));
    EXPECT_EQ(r.offsets, "0:300");
    EXPECT_EQ(sql_value("SELECT name FROM " + q(job.table) + " WHERE id = 7"), "n7");
    EXPECT_EQ(sql_value("SELECT error FROM " + q(job.table + "_rejects") + " WHERE \"offset\" = 150"), "boom at 150");
}

// Errors raised at the end of the statement (an AFTER trigger, a deferrable unique constraint)
// leave the row mark on a run's last row: the search finds the rows all the same.
TEST(RefusedRows, AnAfterTriggerAndADeferrableUniqueConstraint) {
    Job job("refused_late");
    std::vector<std::string> values;
    for (int i = 0; i < 400; ++i) values.push_back(std::to_string(i) + ",n" + std::to_string(i));
    values[0] = "0,late";
    values[77] = "77,late";
    values[78] = "12,n78";  // the key of row 12
    values[250] = "250,late";
    values[399] = "5,n399";  // the key of row 5, last row
    const auto r = load(job, " (id integer UNIQUE DEFERRABLE INITIALLY IMMEDIATE, name text)", values,
                        "CREATE FUNCTION " + q(job.table + "_late") +
                            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'late' THEN "
                            "RAISE EXCEPTION 'late %', NEW.id USING ERRCODE = '23514'; END IF; RETURN NULL; "
                            "END $$; "
                            "CREATE TRIGGER late AFTER INSERT ON " +
                            q(job.table) + " FOR EACH ROW EXECUTE FUNCTION " + q(job.table + "_late") + "()");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 395);
    EXPECT_EQ(r.rejects, expected({{0, "23514"}, {77, "23514"}, {78, "23505"}, {250, "23514"}, {399, "23505"}}));
    EXPECT_EQ(r.offsets, "0:400");
    EXPECT_EQ(sql_value("SELECT string_agg(name, ',' ORDER BY name) FROM " + q(job.table) + " WHERE id IN (5, 12)"),
              "n12,n5");
}

// Through mappings: a cast that fails in a mapping and a CHECK of the output table.
TEST(RefusedRows, ACastThatFailsInAMappingAndACheck) {
    Job job("refused_mapped");
    job.columns = {{"id", "text"}, {"name", "text"}};
    job.mappings = {{"id", "id::integer"}, {"name", "upper(name)"}};
    std::vector<std::string> values;
    for (int i = 0; i < 500; ++i) values.push_back(std::to_string(i) + ",n" + std::to_string(i));
    values[10] = "ten,n10";
    values[11] = "-11,n11";
    values[300] = "3x,n300";
    values[499] = "-499,n499";
    const auto r = load(job, " (id integer CHECK (id >= 0), name text)", values);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 496);
    EXPECT_EQ(r.rejects, expected({{10, "22P02"}, {11, "23514"}, {300, "22P02"}, {499, "23514"}}));
    EXPECT_EQ(r.offsets, "0:500");
    EXPECT_EQ(sql_value("SELECT name FROM " + q(job.table) + " WHERE id = 12"), "N12");
}

// A table with a CHECK: the rows breaking it are found by one query and tried alone, the rows
// between them go in once (schemas/refused_create.sql). A BEFORE trigger counts the rows that
// reach the table: each row of the batch once, besides the first try (up to the first refused
// row) and the single rows that judge the job.
TEST(RefusedRows, RowsBreakingACheckReachTheTableOnceEach) {
    Job job("refused_once");
    const std::set<int> refused = {5, 100, 101, 1500, 1999};
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(2000, refused),
                        "CREATE SEQUENCE " + q(job.table + "_seen") + "; CREATE FUNCTION " + q(job.table + "_count") +
                            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('" +
                            q(job.table + "_seen") + "'); RETURN NEW; END $$; CREATE TRIGGER seen BEFORE INSERT ON " +
                            q(job.table) + " FOR EACH ROW EXECUTE FUNCTION " + q(job.table + "_count") + "()");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 1995);
    EXPECT_EQ(r.rejects, expected({{5, "23514"}, {100, "23514"}, {101, "23514"}, {1500, "23514"}, {1999, "23514"}}));
    EXPECT_EQ(r.offsets, "0:2000");
    const auto seen = sql_count("SELECT last_value FROM " + q(job.table + "_seen"));
    EXPECT_GE(seen, 2000);
    EXPECT_LE(seen, 2000 + 6 + 10) << "rows tried more than once";
}

// A BEFORE trigger mends some of the rows that break the CHECK: those go in, in their place in the
// batch (row 20 repeats the key row 10 was mended to, and is the one refused).
TEST(RefusedRows, RowsABeforeTriggerMendsGoInInTheirPlace) {
    Job job("refused_mended");
    auto values = rows(500, {});
    values[10] = "-21,mend10";
    values[30] = "-31,n30";
    values[400] = "-401,mend400";
    const auto r = load(job, " (id integer PRIMARY KEY CHECK (id > 0), name text)", values,
                        "CREATE FUNCTION " + q(job.table + "_mend") +
                            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name LIKE 'mend%' THEN "
                            "NEW.id := -NEW.id; END IF; RETURN NEW; END $$; CREATE TRIGGER mend BEFORE INSERT ON " +
                            q(job.table) + " FOR EACH ROW EXECUTE FUNCTION " + q(job.table + "_mend") + "()");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 498);
    EXPECT_EQ(r.rejects, expected({{20, "23505"}, {30, "23514"}}));
    EXPECT_EQ(r.offsets, "0:500");
    EXPECT_EQ(sql_value("SELECT name FROM " + q(job.table) + " WHERE id = 21"), "mend10");
    EXPECT_EQ(sql_value("SELECT name FROM " + q(job.table) + " WHERE id = 401"), "mend400");
}

// A CHECK that cannot be evaluated for some rows (division by zero): those rows are refused with
// that error, as the table itself refuses them.
TEST(RefusedRows, ACheckThatFailsToEvaluateOnSomeRows) {
    Job job("refused_zero");
    std::vector<std::pair<int, std::string>> refused;
    for (int i = 0; i < 300; ++i)
        if ((i + 1) % 7 == 0) refused.emplace_back(i, "22012");
    const auto r = load(job, " (id integer CHECK (100 / (id % 7) <> 0), name text)", rows(300, {}));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, static_cast<int64_t>(300 - refused.size()));
    EXPECT_EQ(r.rejects, expected(refused));
    EXPECT_EQ(r.offsets, "0:300");
}

// mode = "merge" with each key three times in the batch and rows breaking a CHECK: every key
// ends with its latest accepted row, and each refused row is rejected, as upserts one message at a
// time would have it (row 150, whose key a later row sets again, too).
TEST(RefusedRows, MergedKeysEndWithTheirLatestAcceptedRow) {
    Job job("refused_merged");
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    std::vector<std::string> values;
    for (int i = 0; i < 300; ++i) values.push_back(std::to_string(i % 100) + ",v" + std::to_string(i));
    values[150] = "50,bad";
    values[299] = "99,bad";
    const auto r = load(job, " (id integer PRIMARY KEY, name text CHECK (name <> 'bad'))", values);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 100);
    EXPECT_EQ(r.rejects, expected({{150, "23514"}, {299, "23514"}}));
    EXPECT_EQ(r.offsets, "0:300");
    EXPECT_EQ(sql_value("SELECT string_agg(name, ',' ORDER BY id) FROM " + q(job.table) + " WHERE id IN (0, 50, 99)"),
              "v200,v250,v199");
}

// After a batch the database refused, the next batches' COPY sets the rows breaking the table's
// CHECK aside and tries them alone after it: their good rows go in with that one COPY. An AFTER
// STATEMENT trigger lists the statements that inserted rows and were kept, and whether each was
// such a COPY: batch 0 (clean) its COPY, batch 1 (the first refused) its runs between the refused
// rows 10, 50 and 90, batches 2 to 4 (refused rows at their ends too) and 5 (clean again) one COPY each.
TEST(RefusedRows, LaterBatchesSetTheRowsBreakingACheckAsideDuringTheirCopy) {
    Job job("refused_aside");
    std::set<int> refused = {110, 150, 190};
    for (int b = 2; b <= 4; ++b)
        for (int i : {0, 33, 34, 99}) refused.insert(100 * b + i);
    const std::string log = q(job.table + "_statements");
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(600, refused),
                        "CREATE TABLE " + log + " (n serial, aside boolean); CREATE FUNCTION " + q(job.table + "_log") +
                            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO " + log +
                            " (aside) VALUES (current_query() LIKE '%dgkafka_aside%'); RETURN NULL; END $$; "
                            "CREATE TRIGGER log AFTER INSERT ON " +
                            q(job.table) + " FOR EACH STATEMENT EXECUTE FUNCTION " + q(job.table + "_log") + "()",
                        100);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 600 - static_cast<int64_t>(refused.size()));
    EXPECT_EQ(r.rejects, expected(refused, "23514"));
    EXPECT_EQ(r.offsets, "0:600");
    EXPECT_EQ(sql_value("SELECT sum(id) FROM " + q(job.table)), std::to_string(600 * 601 / 2 - [&] {
                  int s = 0;
                  for (int i : refused) s += i + 1;
                  return s;
              }()));
    EXPECT_EQ(sql_value("SELECT string_agg(aside::text, ',' ORDER BY n) FROM " + log),
              "false,false,false,false,false,true,true,true,true");
}

// A unique key broken in a batch copied setting rows aside: that COPY fails, and the batch is
// written again as any refused batch is.
TEST(RefusedRows, AUniqueKeyBrokenWhileSettingRowsAside) {
    Job job("refused_aside_key");
    auto values = rows(300, {5, 150, 160, 299});
    values[200] = "7,n200";  // the key of row 6
    const auto r = load(job, " (id integer PRIMARY KEY CHECK (id > 0), name text)", values, "", 100);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 295);
    EXPECT_EQ(r.rejects, expected({{5, "23514"}, {150, "23514"}, {160, "23514"}, {200, "23505"}, {299, "23514"}}));
    EXPECT_EQ(r.offsets, "0:300");
    EXPECT_EQ(sql_value("SELECT name FROM " + q(job.table) + " WHERE id = 7"), "n6");
}

// A batch copied setting rows aside that sets every row aside: the job is wrong, not the data
// (exit 6); the batch before it stays committed.
TEST(RefusedRows, EveryRowSetAsideStopsTheJob) {
    Job job("refused_aside_all");
    std::set<int> refused = {3, 40};
    for (int i = 100; i < 200; ++i) refused.insert(i);
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(200, refused), "", 100);
    EXPECT_EQ(r.code, static_cast<int>(dgkafka::Exit::data)) << r.err;
    EXPECT_NE(r.err.find("the database refused every row tried"), std::string::npos) << r.err;
    EXPECT_EQ(r.loaded, 98);
    EXPECT_EQ(r.rejects, expected({{3, "23514"}, {40, "23514"}}));
    EXPECT_EQ(r.offsets, "0:100");
}

// One message a batch, each breaking the CHECK but two: the rows set aside count towards the
// streak that judges the job over several batches, as refused rows do.
TEST(RefusedRows, RowsSetAsideCountTowardsTheStreakOverSeveralBatches) {
    Job job("refused_aside_streak");
    std::set<int> refused;
    for (int i = 0; i < 40; ++i)
        if (i != 9 && i != 19) refused.insert(i);
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(40, refused), "", 1);
    EXPECT_EQ(r.code, static_cast<int>(dgkafka::Exit::data)) << r.err;
    EXPECT_NE(r.err.find("the last 10 rows, over several batches"), std::string::npos) << r.err;
    EXPECT_EQ(r.loaded, 2);
    EXPECT_EQ(r.rejects.size(), 27u);
    EXPECT_EQ(r.offsets, "0:29");
}

// A server or table that will not set rows aside during the COPY (COPY ... WHERE refused when it
// starts, or failing with its rows: here a trigger refuses it): the plain COPY is used, and every
// refused row is found all the same.
TEST(RefusedRows, AServerThatWillNotSetRowsAsideGetsThePlainCopy) {
    for (const std::string when : {"BEFORE INSERT ON %s FOR EACH STATEMENT", "AFTER INSERT ON %s FOR EACH ROW"}) {
        Job job(when[0] == 'B' ? "refused_noaside_start" : "refused_noaside_rows");
        std::string trigger = when;
        trigger.replace(trigger.find("%s"), 2, q(job.table));
        const std::set<int> refused = {5, 150, 160, 299};
        const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(300, refused),
                            "CREATE FUNCTION " + q(job.table + "_no") +
                                "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF current_query() LIKE "
                                "'%dgkafka_aside%' THEN RAISE EXCEPTION 'no' USING ERRCODE = '0A000'; END IF; "
                                "RETURN NULL; END $$; CREATE TRIGGER no " +
                                trigger + " EXECUTE FUNCTION " + q(job.table + "_no") + "()",
                            100);
        ASSERT_EQ(r.code, 0) << when << r.err;
        EXPECT_EQ(r.loaded, 296) << when;
        EXPECT_EQ(r.rejects, expected({{5, "23514"}, {150, "23514"}, {160, "23514"}, {299, "23514"}})) << when;
        EXPECT_EQ(r.offsets, "0:300") << when;
        EXPECT_NE(r.err.find("rows the database refuses are no longer set aside during the COPY"), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("0A000"), std::string::npos) << r.err;
    }
}

// A CHECK on the whole row (a function taking the table's row type) is not one the rules' query
// can evaluate: the rows are found all the same, a duplicate key among them.
TEST(RefusedRows, ACheckOnTheWholeRow) {
    Job job("refused_whole");
    job.columns = {{"id", "integer"}, {"v", "integer"}, {"u", "integer"}};
    std::vector<std::string> values;
    for (int i = 0; i < 200; ++i)
        values.push_back(std::to_string(i) + "," + std::to_string(i) + "," + std::to_string(i));
    values[10] = "10,-1,10";
    values[20] = "20,20,5";  // the u of row 5
    values[199] = "199,-1,199";
    const auto fn = q(job.table + "_ok");
    const auto r = load(job, " (id integer PRIMARY KEY, v integer, u integer UNIQUE)", values,
                        "CREATE FUNCTION " + fn + "(r " + q(job.table) +
                            ") RETURNS boolean LANGUAGE sql IMMUTABLE AS "
                            "'SELECT r.v >= 0'; ALTER TABLE " +
                            q(job.table) + " ADD CHECK (" + fn + "(" + q(job.table) + "))");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 197);
    EXPECT_EQ(r.rejects, expected({{10, "23514"}, {20, "23505"}, {199, "23514"}}));
    EXPECT_EQ(r.offsets, "0:200");
}

// Bad rows recurring at a period (every 11th message, 1% or 10% of a batch) are the data's
// fault, not the job's, even where the rows that judge the job are spread at that period.
TEST(RefusedRows, BadRowsAtAPeriodAreNotTakenForAWrongJob) {
    Job job("refused_period");
    std::set<int> refused;
    for (int i = 0; i < 100; i += 11) refused.insert(i);
    const auto r = load(job, " (id integer CHECK (id > 0), name text)", rows(100, refused));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 100 - static_cast<int64_t>(refused.size()));
    EXPECT_EQ(r.rejects, expected(refused, "23514"));
    EXPECT_EQ(r.offsets, "0:100");
}

// before_load_sql may change the table: its rules are read after it (here it drops a CHECK and
// the function the CHECK calls: the rows that CHECK refused load, and the batch refused for a
// duplicate key is walked without rules that would name the dropped function).
TEST(RefusedRows, TheTablesRulesAreReadAfterBeforeLoadSql) {
    Job job("refused_before");
    const auto fn = q(job.table + "_positive");
    job.output_extra =
        "before_load_sql = " +
        toml_string("ALTER TABLE " + q(job.table) + " DROP CONSTRAINT c; DROP FUNCTION " + fn + "(integer)") + "\n";
    auto values = rows(300, {5, 150, 299});
    values[120] = "7,n120";  // the key of row 6
    const auto r = load(job, " (id integer PRIMARY KEY, name text)", values,
                        "CREATE FUNCTION " + fn +
                            "(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0'; "
                            "ALTER TABLE " +
                            q(job.table) + " ADD CONSTRAINT c CHECK (" + fn + "(id))",
                        100);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.loaded, 299);
    EXPECT_EQ(r.rejects, expected({{120, "23505"}}));
    EXPECT_EQ(r.err.find("rows the database refuses are no longer set aside during the COPY"), std::string::npos)
        << r.err;
}

// An INSERT rule on the output table (COPY ignores rules, INSERT applies them): every row goes
// through the rule, in clean batches and refused ones alike.
TEST(RefusedRows, AnInsertRuleAppliesToEveryRow) {
    Job job("refused_rule");
    const auto big = q(job.table + "_big");
    const auto r =
        load(job, " (id integer CHECK (id > 0), name text)", rows(40, {25}),
             "CREATE TABLE " + big + " (id integer, name text); CREATE RULE divert AS ON INSERT TO " + q(job.table) +
                 " WHERE NEW.id % 10 = 3 DO INSTEAD INSERT INTO " + big + " VALUES (NEW.id, NEW.name)",
             20);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + big), "3,13,23,33");
    EXPECT_EQ(r.loaded, 35);
    EXPECT_EQ(r.rejects, expected({{25, "23514"}}));
    EXPECT_EQ(r.offsets, "0:40");
}

// A streaming load (batches of 100 rows) of two batches of "id,name" rows: rows 0..99, then, after
// `between` ran, rows 100..199; `odd` replaces some rows. Returns once both are committed and the
// load stopped by SIGTERM.
Result stream_two_batches(Job& job, const std::string& ddl, const std::string& between,
                          const std::map<int, std::string>& odd) {
    job.delimiter = ",";
    job.columns = {{"id", "integer"}, {"name", "text"}};
    job.max_row = 100;
    job.minimal_interval = 600;  // batches end at 100 rows
    create_topic(job.topic, 1);
    sql("CREATE TABLE " + q(job.table) + ddl);
    const auto path = job.write();
    EXPECT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto committed = [&] {
        return sql_value("SELECT coalesce(max(committed_offset), 0) FROM " + q(job.table + "_offset"));
    };
    const auto produce_rows = [&](int from) {
        std::vector<Record> records;
        for (int i = from; i < from + 100; ++i)
            records.push_back(
                {odd.count(i) ? odd.at(i) : std::to_string(i + 1) + ",n" + std::to_string(i), std::nullopt, 0});
        produce(job.topic, records);
    };
    produce_rows(0);
    auto loader = spawn("dgkafka", {"load", path});
    EXPECT_TRUE(wait_until([&] { return committed() == "100" || loader.exited(); }, 60s));
    if (loader.exited()) return loader.wait();
    sql(between);
    produce_rows(100);
    EXPECT_TRUE(wait_until([&] { return committed() == "200" || loader.exited(); }, 60s));
    kill(loader.pid, SIGTERM);
    return loader.wait();
}

std::string rejects_of(const Job& job) {
    return sql_value("SELECT string_agg(\"offset\" || ' ' || sqlstate, ',' ORDER BY \"offset\") FROM " +
                     q(job.table + "_rejects"));
}

// The table's rules are read at start and can go stale: a CHECK dropped with its function while a
// load streams. The next batches neither set rows aside nor look for rows by those rules (both
// would name the dropped function): a duplicate key is found all the same, and rows the dropped
// CHECK refused load.
TEST(RefusedRows, ACheckDroppedWithItsFunctionWhileALoadStreams) {
    Job job("refused_stale");
    const auto fn = q(job.table + "_positive");
    const auto r =
        stream_two_batches(job,
                           " (id integer PRIMARY KEY, name text); CREATE FUNCTION " + fn +
                               "(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0'; ALTER TABLE " +
                               q(job.table) + " ADD CONSTRAINT c CHECK (" + fn + "(id))",
                           "ALTER TABLE " + q(job.table) + " DROP CONSTRAINT c; DROP FUNCTION " + fn + "(integer)",
                           {{5, "-6,n5"}, {150, "-151,n150"}, {160, "11,n160"}});  // 160: the key of row 10
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + q(job.table)), 198);
    EXPECT_EQ(rejects_of(job), "5 23514,160 23505");
}

// Only the CHECK dropped: a row it refused would be set aside and tried after the rows of its
// batch, and lose its key to a later row. The changed rules are noticed before the batch: row 145
// keeps its place, and row 150 (the same name) is the one refused.
TEST(RefusedRows, ACheckDroppedWhileALoadStreamsKeepsTheRowsInOrder) {
    Job job("refused_stale_order");
    const auto r = stream_two_batches(job, " (id integer PRIMARY KEY CONSTRAINT c CHECK (id > 0), name text UNIQUE)",
                                      "ALTER TABLE " + q(job.table) + " DROP CONSTRAINT c",
                                      {{5, "-6,n5"}, {145, "-146,same"}, {150, "151,same"}});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("CHECK constraints or NOT NULL columns changed since the load started"), std::string::npos)
        << r.err;
    EXPECT_EQ(sql_value("SELECT id FROM " + q(job.table) + " WHERE name = 'same'"), "-146");
    EXPECT_EQ(rejects_of(job), "5 23514,150 23505");
}

// The "job is wrong" stop holds across batches: one message a batch, every one refused.
TEST(RefusedRows, EveryRowRefusedStopsTheLoadAlsoOneMessageABatch) {
    Job job("streak1");
    job.format = "json";
    job.max_row = 1;
    job.mappings = {{"id", "(jdata->>'id')::int"}, {"n", "100 / (jdata->>'d')::int"}};
    create_topic(job.topic, 1);
    std::vector<Record> records;
    // 9 refused, 1 good (the streak starts again), 9 refused: loads on; then 10 refused in a row:
    // stop.
    for (int i = 0; i < 40; ++i) {
        const bool good = i == 9 || i == 19;
        records.push_back({"{\"id\": " + std::to_string(i) + ", \"d\": " + (good ? "1" : "0") + "}", std::nullopt, 0});
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
    EXPECT_EQ(sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + dgtest::quoted(job.table)), "9,19");
    // Rows 0..8, 10..18 and 20..28 were rejected and committed; row 29, the tenth in a row, was
    // not.
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 27);
    EXPECT_EQ(sql_value("SELECT committed_offset FROM " + dgtest::quoted(job.table + "_offset")), "29");
}
