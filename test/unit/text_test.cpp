#include "util/text.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;

TEST(Text, SplitTrimsParts) {
    EXPECT_EQ(text::split(" j1, j2 ,j3", ','), (std::vector<std::string>{"j1", "j2", "j3"}));
    EXPECT_EQ(text::split("a", ','), (std::vector<std::string>{"a"}));
}

TEST(Text, NearestSuggestsOnlyCloseWords) {
    const std::vector<std::string> keys = {"max_row", "minimal_interval"};
    EXPECT_EQ(text::nearest("max_rows", keys), "max_row");
    EXPECT_EQ(text::nearest("minimal_intervall", keys), "minimal_interval");
    EXPECT_EQ(text::nearest("zzzzzzzz", keys), "");
}

TEST(Text, SubstituteReplacesEveryVariableAndRejectsUnknownOnes) {
    EXPECT_EQ(text::substitute("SELECT ${a} FROM ${b} -- ${a}", {{"a", "x"}, {"b", "\"t\""}}),
              "SELECT x FROM \"t\" -- x");
    EXPECT_THROW(text::substitute("${missing}", {}), std::logic_error);
}
