#include "formats/json_fields.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using dgkafka::json::valid;

TEST(JsonValid, AcceptsWellFormedValues) {
    for (const char* ok : {"{}", "[]", "0", "-0.5e+10", "\"x\"", "true", "null",
                           " { \"a\" : [1, 2.5, {\"b\": null}], \"c\": \"\\u00e9\\n\" } ", "[[[[]]]]",
                           "{\"customer_id\": 1313131, \"some_intfield\": 12}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""})
        EXPECT_TRUE(valid(ok)) << ok;
}

TEST(JsonValid, RejectsMalformedValues) {
    for (const char* bad : {"",
                            " ",
                            "{",
                            "{\"a\": 1,}",
                            "[1,]",
                            "[1 2]",
                            "{\"a\" 1}",
                            "{a: 1}",
                            "01",
                            "1.",
                            "-",
                            "1e",
                            "tru",
                            "nul",
                            "\"unterminated",
                            "\"bad \\x escape\"",
                            "\"\\u12\"",
                            "{} {}",
                            "[}",
                            "{]",
                            "\"tab\there\"",
                            "{\"id\": 7, \"v\": "})
        EXPECT_FALSE(valid(bad)) << bad;
}

TEST(JsonValid, AgreesWithNlohmannOnMutations) {
    // Every prefix of a real document: both checkers must agree on each.
    const std::string doc = R"({"site_id": 17, "url": "https://x/?a=1", "ok": [true, false, null, -1.5e3], "o": {}})";
    for (size_t n = 0; n <= doc.size(); ++n) {
        const std::string cut = doc.substr(0, n);
        EXPECT_EQ(valid(cut), nlohmann::json::accept(cut)) << cut;
    }
}

TEST(JsonValid, DeepNestingNeedsNoRecursion) {
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    EXPECT_TRUE(valid(deep));
}

using dgkafka::json::jsonb_text_is_literal;
using dgkafka::json::numeric_fits;

TEST(JsonbNumbers, NumericLimitsOfPostgres) {
    // Each checked against PostgreSQL 15: SELECT '[<number>]'::jsonb.
    for (const char* ok : {"0", "-0", "1e5000", "0e999999", "0e-16383", "12.5E+3", "-0.000001", "1e131071", "10e131070",
                           "0.001e131074", "1e-16383", "0.1e-16382", "0e1073741822"})
        EXPECT_TRUE(numeric_fits(ok)) << ok;
    for (const char* bad : {"1e131072", "1e-16384", "0e-16384", "0.1e-16383", "1e2000000000", "1e147483647",
                            "0e99999999999999999999", "0e1073741823", "0e-1073741823"})
        EXPECT_FALSE(numeric_fits(bad)) << bad;
    const std::string scale_max = "0." + std::string(16383, '1');
    EXPECT_TRUE(numeric_fits(scale_max));
    EXPECT_FALSE(numeric_fits(scale_max + "1"));
    EXPECT_TRUE(numeric_fits("1" + std::string(131071, '0')));
    EXPECT_FALSE(numeric_fits("1" + std::string(131072, '0')));
}

TEST(JsonbNumbers, TextKeptUnlessJsonbRewritesIt) {
    for (const char* same : {"0", "12", "-12", "1.50", "-0.01", "true", "false", "123456789012345678901234567890"})
        EXPECT_TRUE(jsonb_text_is_literal(same)) << same;
    for (const char* rewritten : {"-0", "-0.00", "1e2", "1E2", "-1.5e-3", "[1]", "{}"})
        EXPECT_FALSE(jsonb_text_is_literal(rewritten)) << rewritten;
}

TEST(JsonbNumbers, MemberReaderRefusesWhatJsonbInputRefuses) {
    dgkafka::json::MemberReader json({"a"}), jsonb({"a"}, true);
    std::string reason;
    const std::string doc = R"({"a": 1, "elsewhere": [1e131072]})";
    EXPECT_TRUE(json.read(doc, reason)) << reason;
    EXPECT_FALSE(jsonb.read(doc, reason));
    EXPECT_NE(reason.find("numeric"), std::string::npos) << reason;
}
