#include "util/utf8.hpp"

#include <gtest/gtest.h>

using dgkafka::utf8::invalid_at;

TEST(Utf8, AcceptsWellFormedText) {
    EXPECT_EQ(invalid_at(""), std::string_view::npos);
    EXPECT_EQ(invalid_at("plain ascii text longer than eight bytes"), std::string_view::npos);
    EXPECT_EQ(invalid_at("übergrößen ✓ 𝄞 中文"), std::string_view::npos);
}

TEST(Utf8, FindsTheFirstBadByte) {
    EXPECT_EQ(invalid_at("abc\xff"), 3u);
    EXPECT_EQ(invalid_at("caf\xe9 au lait"), 3u);   // Latin-1
    EXPECT_EQ(invalid_at("\xc0\xaf"), 0u);          // overlong '/'
    EXPECT_EQ(invalid_at("ok \xed\xa0\x80"), 3u);   // UTF-16 surrogate
    EXPECT_EQ(invalid_at("12345678\xe2\x82"), 8u);  // truncated at the end
    EXPECT_EQ(invalid_at("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}
