// JSON members read by dgkafka (JsonPushdown) must give exactly what PostgreSQL's own ->> gives:
// the same job is loaded twice from one topic, once with mappings dgkafka reads itself and once
// written so that it cannot, and the tables and rejected messages must agree.
#include <gtest/gtest.h>

#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;

namespace {

// Tricky documents: escapes, repeated and escaped names, nesting, non-objects, and documents
// PostgreSQL refuses (invalid JSON, \u0000, unpaired surrogates).
const std::vector<std::string> documents = {
    R"({"a":"plain","n":1,"b":true})",
    R"({"a":"first","a":"last"})",
    R"({"\u0061":"escaped name","n":2})",
    R"({"a":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 \n nl \b\f\r"})",
    R"({"a": [1, 2 ,{"b" : 3}] , "n": {"x":null, "t":"a\tb"}})",
    R"({"n": -0.10e+5, "a": 1e2, "b": false})",
    R"({"a":null,"n":null})",
    R"({"a":""})",
    R"({"a":"日本語","b":"back\\\\slash"})",
    " \t{ \"a\" : \"spaced\" }\n",
    R"([1,2])",
    R"("just a string")",
    R"(5)",
    R"(null)",
    R"({})",
    R"({"a":})",
    R"({"a":"x")",
    R"(nope)",
    R"({"a":"\u0000"})",
    R"({"z":{"y":["\u0000"]},"a":"ok"})",
    R"({"\u0000":1,"a":"x"})",
    R"({"a":"\ud83d"})",
    R"({"z":"\ude00","a":"x"})",
    R"({"a":"\ud83d\u0041"})",
    R"({"a":"ok","n":3,"b":"last good"})",
    // Numbers and containers, whose text jsonb rewrites, and numbers jsonb cannot store.
    R"({"a": -0, "n": -0.00, "b": 1E2})",
    R"({"a": 1.50, "n": 12345678901234567890.1234567890, "b": -1.5e-3})",
    R"({"a": {"y": 1, "x": [1e1, {"k":"v","k":"w"}]}, "n": [ ], "b": {}})",
    R"({"a": "fine", "n": 1, "elsewhere": [1e131072]})",
    R"({"a": "fine", "n": 0e-16384})",
};

std::string rows_of(const std::string& table) {
    return sql_value(
        "SELECT string_agg(concat_ws('|', off, coalesce(a, '<null>'), coalesce(n, '<null>'), "
        "coalesce(b, '<null>')), E'\\n' ORDER BY off) FROM " +
        dgtest::quoted(table));
}

std::string rejected_offsets(const std::string& table) {
    return sql_value("SELECT string_agg(\"offset\"::text, ',' ORDER BY \"offset\") FROM " +
                     dgtest::quoted(table + "_rejects"));
}

// Loads the documents twice, members read by dgkafka and by PostgreSQL, and checks both agree.
// Returns the pushed-down job.
Job load_both_ways(const std::string& type) {
    Job pushed("jpush");
    pushed.format = "json";
    pushed.columns = {{"jdata", type}};
    pushed.mappings = {{"off", "_offset"},
                       {"a", "jdata->>'a'"},
                       {"n", "(jdata ->> 'n')::text"},
                       {"b", "coalesce(jdata->>'b', jdata->>'a')"}};
    pushed.filter = "jdata->>'a' IS DISTINCT FROM 'skip me'";
    Job own = pushed;  // PostgreSQL reads every member: (jdata) is not a name followed by ->>
    own.group += "_own";
    own.table += "_own";
    for (auto& m : own.mappings) {
        std::string wrapped;
        size_t from = 0;
        for (size_t at; (at = m.second.find("jdata", from)) != std::string::npos; from = at + 5)
            wrapped += m.second.substr(from, at - from) + "(jdata)";
        m.second = wrapped + m.second.substr(from);
    }
    own.filter = "(jdata)->>'a' IS DISTINCT FROM 'skip me'";

    create_topic(pushed.topic, 1);
    std::vector<Record> records;
    for (const auto& d : documents) records.push_back({d});
    records.push_back({R"({"a":"skip me"})"});
    produce(pushed.topic, records);
    for (const auto* job : {&pushed, &own}) {
        sql("CREATE TABLE " + dgtest::quoted(job->table) + " (off bigint, a text, n text, b text)");
        EXPECT_EQ(run("dgkafka", {"setup", job->write()}).code, 0);
    }

    const auto r_pushed = run("dgkafka", {"load", "-v", "-quit-at-eof", pushed.write()});
    const auto r_own = run("dgkafka", {"load", "-v", "-quit-at-eof", own.write()});
    EXPECT_EQ(r_pushed.code, 0) << r_pushed.err;
    EXPECT_EQ(r_own.code, 0) << r_own.err;
    EXPECT_NE(r_pushed.err.find(
                  "JSON members read by dgkafka, not by the database: a, n, b (the document itself is not staged)"),
              std::string::npos)
        << r_pushed.err;
    EXPECT_EQ(r_own.err.find("JSON members read by dgkafka"), std::string::npos) << r_own.err;

    EXPECT_EQ(rows_of(pushed.table), rows_of(own.table));
    EXPECT_EQ(rejected_offsets(pushed.table), rejected_offsets(own.table));
    return pushed;
}

}  // namespace

TEST(JsonPushdown, MembersReadByDgkafkaEqualWhatPostgresReads) {
    const Job pushed = load_both_ways("json");
    // What both agree on, spelled out for a few documents.
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(pushed.table)), 21);
    EXPECT_EQ(rejected_offsets(pushed.table), "15,16,17,18,19,20,21,22,23");
    EXPECT_EQ(sql_value("SELECT concat_ws('|', a, n, b) FROM " + dgtest::quoted(pushed.table) + " WHERE off = 25"),
              "-0|-0.00|1E2");
    EXPECT_EQ(sql_value("SELECT a FROM " + dgtest::quoted(pushed.table) + " WHERE off = 1"), "last");
    EXPECT_EQ(sql_value("SELECT a FROM " + dgtest::quoted(pushed.table) + " WHERE off = 3"),
              "tab\there \"q\" \\ / \u00e9 \U0001F600 \n nl \b\f\r");
}

TEST(JsonPushdown, JsonbMembersReadByDgkafkaEqualWhatPostgresReads) {
    const Job pushed = load_both_ways("jsonb");
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(pushed.table)), 19);
    EXPECT_EQ(rejected_offsets(pushed.table), "15,16,17,18,19,20,21,22,23,28,29");
    EXPECT_EQ(sql_value("SELECT concat_ws('|', a, n, b) FROM " + dgtest::quoted(pushed.table) + " WHERE off = 25"),
              "0|0.00|100");
    EXPECT_EQ(sql_value("SELECT a FROM " + dgtest::quoted(pushed.table) + " WHERE off = 27"),
              R"({"x": [10, {"k": "w"}], "y": 1})");
}
