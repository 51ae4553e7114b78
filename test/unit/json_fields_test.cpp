#include "formats/json_fields.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using dgkafka::json::valid;

TEST(JsonValid, AcceptsWellFormedValues) {
    for (const char* ok : {"{}", "[]", "0", "-0.5e+10", "\"x\"", "true", "null", " { \"a\" : [1, 2.5, {\"b\": null}], \"c\": \"\\u00e9\\n\" } ",
                           "[[[[]]]]", "{\"customer_id\": 1313131, \"some_intfield\": 12}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""})
        EXPECT_TRUE(valid(ok)) << ok;
}

TEST(JsonValid, RejectsMalformedValues) {
    for (const char* bad : {"", " ", "{", "{\"a\": 1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a: 1}", "01", "1.", "-", "1e",
                            "tru", "nul", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "{} {}", "[}", "{]",
                            "\"tab\there\"", "{\"id\": 7, \"v\": "})
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
