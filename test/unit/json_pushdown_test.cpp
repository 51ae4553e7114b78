// Which mapping expressions dgkafka rewrites to read JSON members itself, and which it leaves to
// PostgreSQL because rewriting could change how they parse.
#include "load/sink/json_pushdown.hpp"

#include <gtest/gtest.h>

using dgkafka::Config;
using dgkafka::load::JsonPushdown;

namespace {
JsonPushdown plan(std::vector<std::string> expressions, std::string filter = "") {
    Config cfg;
    cfg.format = dgkafka::Format::json;
    cfg.columns = {{"jdata", "json", false}};
    for (auto& e : expressions) cfg.mappings.push_back({{"c"}, e});
    cfg.filter = std::move(filter);
    return JsonPushdown::plan(cfg);
}
}  // namespace

TEST(JsonPushdown, RewritesMembersReadWhereTheGroupingIsUnambiguous) {
    const auto p = plan({"jdata->>'a'", "(jdata ->> 'b')::int", "coalesce(JDATA->>'a', \"jdata\"->>'it''s')",
                         "jdata->>'b' || 'x' -- jdata->>'c'"},
                        "jdata->>'a' IS DISTINCT FROM 'skip' AND jdata->>'b' <> ''");
    EXPECT_EQ(p.members, (std::vector<std::string>{"a", "b", "it's"}));
    EXPECT_EQ(p.targets[0].expressions, (std::vector<std::string>{"\"_dgkafka_json_1\"", "(\"_dgkafka_json_2\")::int",
                                                                  "coalesce(\"_dgkafka_json_1\", \"_dgkafka_json_3\")",
                                                                  "\"_dgkafka_json_2\" || 'x' -- jdata->>'c'"}));
    EXPECT_EQ(p.targets[0].filter, "\"_dgkafka_json_1\" IS DISTINCT FROM 'skip' AND \"_dgkafka_json_2\" <> ''");
    EXPECT_FALSE(p.document_needed);
}

TEST(JsonPushdown, LeavesExpressionsWhoseMeaningCouldChange) {
    // :: binds tighter than ->>; || groups from the left; -> paths, rows and literals are not members.
    for (const std::string e : {"jdata->>'a'::int", "'x' || jdata->>'a'", "jdata->'a'->>'b'", "(udf(jdata)).*",
                                "(jdata)->>'a'", "jdata->>E'a'", "1 - jdata->>'a'", "jdata->>'a' * 2"}) {
        const auto p = plan({e});
        EXPECT_TRUE(p.members.empty()) << e;
        EXPECT_EQ(p.targets[0].expressions, std::vector<std::string>{e});
        EXPECT_TRUE(p.document_needed) << e;
    }
    EXPECT_TRUE(plan({"$$jdata->>'a'$$"}).members.empty()) << "inside a literal";
}

TEST(JsonPushdown, KeepsTheDocumentWhenSomethingElseReadsIt) {
    const auto p = plan({"(jdata->>'a')::int", "(udf_parse_json(jdata)).*"});
    EXPECT_EQ(p.members, std::vector<std::string>{"a"});
    EXPECT_TRUE(p.document_needed);
}

TEST(JsonPushdown, ArithmeticIsNotARowExpansion) {
    EXPECT_FALSE(plan({"(jdata->>'a')::int * 2"}).document_needed);
    EXPECT_TRUE(plan({"(jdata->>'a')::int", "(udf(1)).*"}).document_needed);
}

TEST(JsonPushdown, JsonbStagesTextAndJsonOnlyWhenTheDocumentIsNotRead) {
    Config cfg;
    cfg.format = dgkafka::Format::json;
    cfg.columns = {{"jdata", "JSONB", false}};
    cfg.mappings.push_back({{"c"}, "(jdata->>'a')::int"});
    const auto p = JsonPushdown::plan(cfg);
    EXPECT_TRUE(p.jsonb);
    EXPECT_FALSE(p.document_needed);
    EXPECT_EQ(p.targets[0].expressions,
              std::vector<std::string>{"(coalesce(\"_dgkafka_json_1\", \"_dgkafka_jsonb_1\" #>> '{}'))::int"});
    EXPECT_EQ(p.stage_columns(), ", \"_dgkafka_json_1\" text, \"_dgkafka_jsonb_1\" jsonb");

    cfg.mappings.push_back({{"d"}, "jdata"});  // parsed as jsonb anyway: its ->> is cheap
    EXPECT_TRUE(JsonPushdown::plan(cfg).members.empty());
}

TEST(JsonPushdown, OnlyForJsonInput) {
    Config cfg;
    cfg.format = dgkafka::Format::json;
    cfg.columns = {{"jdata", "text", false}};
    cfg.mappings.push_back({{"c"}, "jdata::json->>'a'"});
    EXPECT_TRUE(JsonPushdown::plan(cfg).members.empty());
}
