// kafka.output.mode: merge (insert or update by key) and update (matching rows only).
#include <gtest/gtest.h>

#include "support/job.hpp"
#include "support/sandbox.hpp"
#include "util/errors.hpp"

using namespace dgtest;
using dgkafka::Exit;

namespace {
Job items_job(const std::string& name) {
    Job job(name);
    job.format = "json";
    job.mappings = {
        {"id", "(jdata->>'id')::int"}, {"name", "jdata->>'name'"}, {"updated_at", "(jdata->>'updated_at')::int"}};
    return job;
}

std::string rows(const Job& job) {
    return sql_value("SELECT string_agg(id || '=' || name || '@' || updated_at, ',' ORDER BY id) FROM \"" + job.table +
                     "\"");
}

Result setup_and_load(const std::string& path) {
    const auto s = run("dgkafka", {"setup", path});
    EXPECT_EQ(s.code, 0) << s.err;
    return run("dgkafka", {"load", "-quit-at-eof", path});
}
}  // namespace

TEST(Modes, MergeInsertsNewKeysUpdatesOldOnesAndTheLatestMessageOfABatchWins) {
    auto job = items_job("merge");
    sql("CREATE TABLE \"" + job.table + "\" (id int PRIMARY KEY, name text, updated_at int)");
    sql("INSERT INTO \"" + job.table + "\" VALUES (1, 'old', 5)");
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1, "name": "new", "updated_at": 10})"},
                        {R"({"id": 2, "name": "b", "updated_at": 1})"},
                        {R"({"id": 2, "name": "b2", "updated_at": 2})"},
                        {R"({"id": 3, "name": "c", "updated_at": 1})"}});
    job.output_extra =
        "mode = \"merge\"\nmatch_columns = [\"id\"]\n"
        "update_condition = '\"excluded\".updated_at >= \"current\".updated_at'\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job), "1=new@10,2=b2@2,3=c@1");
    // With update_condition the messages of a key go in one by one: key 2 is written twice.
    EXPECT_EQ(r.out.rfind("LOAD 4 rows from 4 messages", 0), 0u) << r.out;

    // An older version of key 1 arrives later: the update condition keeps the newer row.
    produce(job.topic,
            {{R"({"id": 1, "name": "stale", "updated_at": 3})"}, {R"({"id": 4, "name": "d", "updated_at": 1})"}});
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job), "1=new@10,2=b2@2,3=c@1,4=d@1");
}

TEST(Modes, UpdateChangesMatchingRowsOnlyAndOnlyTheChosenColumns) {
    auto job = items_job("update");
    sql("CREATE TABLE \"" + job.table + "\" (id int, name text, updated_at int)");
    sql("INSERT INTO \"" + job.table + "\" VALUES (1, 'one', 1), (2, 'two', 1)");
    create_topic(job.topic, 1);
    produce(job.topic, {{R"({"id": 1, "name": "uno", "updated_at": 7})"},
                        {R"({"id": 9, "name": "nine", "updated_at": 7})"},
                        {R"({"id": 1, "name": "eins", "updated_at": 8})"}});
    job.output_extra = "mode = \"update\"\nmatch_columns = [\"id\"]\nupdate_columns = [\"name\"]\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(rows(job), "1=eins@1,2=two@1") << "no row for key 9; updated_at is not an update column";
}

TEST(Modes, MergeWithoutAUniqueIndexOnTheKeysIsAClearError) {
    auto job = items_job("nokey");
    sql("CREATE TABLE \"" + job.table + "\" (id int, name text, updated_at int)");
    create_topic(job.topic, 1);
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, static_cast<int>(Exit::config));
    auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find("mode = \"merge\" needs a unique index or primary key on exactly (id)"), std::string::npos)
        << r.err;
}

// With update_condition, the outcome is that of applying the messages one by one, whatever
// the batch size.
TEST(Modes, UpdateConditionGivesTheSameTableWhateverTheBatchSize) {
    for (const std::string mode : {"update", "merge"}) {
        std::vector<std::string> tables;
        for (const int max_row : {1, 1000}) {
            Job job("upcond" + mode);
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
            sql("CREATE TABLE " + dgtest::quoted(job.table) + " (k int PRIMARY KEY, v int, note text)");
            sql("INSERT INTO " + dgtest::quoted(job.table) + " VALUES (1, 10, 'one'), (2, 20, 'two')");
            job.output_extra = "mode = \"" + mode +
                               "\"\nmatch_columns = [\"k\"]\nupdate_columns = [\"v\"]\n"
                               "update_condition = \"excluded.v > current.v\"\n";
            const auto path = job.write();
            const auto r = setup_and_load(path);
            ASSERT_EQ(r.code, 0) << r.err;
            tables.push_back(sql_value("SELECT string_agg(concat_ws('|', k, v, note), ',' ORDER BY k) FROM " +
                                       dgtest::quoted(job.table)));
        }
        EXPECT_EQ(tables[0], mode == "update" ? "1|10|one,2|30|two" : "1|10|one,2|30|two,3|7") << "max_row 1, " << mode;
        EXPECT_EQ(tables[1], tables[0]) << "max_row 1000, " << mode;
    }
}
