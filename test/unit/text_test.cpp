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

TEST(Text, ClipCutsBeforeACharacterAndSaysHowLongItWas) {
    using dgkafka::text::clip;
    EXPECT_EQ(clip("short", 10), "short");
    EXPECT_EQ(clip("abcdefghij", 4), "abcd… (10 bytes)");
    EXPECT_EQ(clip("ab\xC3\xA9"
                   "cd",
                   3),
              "ab… (6 bytes)");  // never half of é
}
