#include "vocabulary/ident.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;

TEST(Ident, QuotesEveryNameAndDoublesQuotes) {
    EXPECT_EQ(quote_ident("customer"), "\"customer\"");
    EXPECT_EQ(quote_ident("Order Lines"), "\"Order Lines\"");
    EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
}

TEST(Ident, ParsesSchemaQualifiedAndQuotedNames) {
    EXPECT_EQ(QualifiedName::parse("customer").quoted(), "\"customer\"");
    EXPECT_EQ(QualifiedName::parse("sales.Order Lines").quoted(), "\"sales\".\"Order Lines\"");
    EXPECT_EQ(QualifiedName::parse("a\"b").quoted(), "\"a\"\"b\"");
    const auto dotted = QualifiedName::parse("\"my.table\"");
    EXPECT_EQ(dotted.schema, "");
    EXPECT_EQ(dotted.name, "my.table");
    EXPECT_EQ(QualifiedName::parse("\"S\".\"x\"\"y\"").quoted(), "\"S\".\"x\"\"y\"");
}

TEST(Ident, RejectsMalformedNames) {
    EXPECT_THROW(QualifiedName::parse(""), std::invalid_argument);
    EXPECT_THROW(QualifiedName::parse("a.b.c"), std::invalid_argument);
    EXPECT_THROW(QualifiedName::parse("\"open"), std::invalid_argument);
    EXPECT_THROW(QualifiedName::parse(".t"), std::invalid_argument);
}
