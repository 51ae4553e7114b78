#include "util/log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

using namespace dgkafka;

namespace {
// Restores the process-wide logging settings after each test.
class Log : public ::testing::Test {
  protected:
    void TearDown() override {
        log::set_verbosity(0);
        log::set_format(log::Format::text);
    }
};
}  // namespace

TEST_F(Log, TextLinesStartWithAnIsoTimestampInUtcAndTheLevel) {
    const auto line = log::line(log::Level::warn, "customer[2]: 1 message(s) rejected");
    EXPECT_TRUE(std::regex_match(
        line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z warning customer\[2\]: 1 message\(s\) rejected)")))
        << line;
}

TEST_F(Log, JsonLinesAreOneObjectWithTsLevelMsgAndTheFields) {
    log::set_format(log::Format::json);
    const auto line = log::line(log::Level::info, "a \"quoted\"\nline \xff", log::offsets("customer", 2, 1000, 1999));
    EXPECT_EQ(line.find('\n'), std::string::npos) << "one object a line";
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(
        std::regex_match(j.at("ts").get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
    EXPECT_EQ(j.at("level"), "info");
    EXPECT_EQ(j.at("msg").get<std::string>().rfind("a \"quoted\"\nline ", 0), 0u)
        << "invalid UTF-8 replaced, not fatal";
    EXPECT_EQ(j.at("topic"), "customer");
    EXPECT_EQ(j.at("partition"), 2);
    EXPECT_EQ(j.at("first_offset"), 1000);
    EXPECT_EQ(j.at("last_offset"), 1999);
}

TEST_F(Log, LevelsFilterByVerbosity) {
    struct Case {
        int verbosity;
        bool warn, info, debug;
    };
    for (const auto& c : {Case{-1, false, false, false}, Case{0, true, false, false}, Case{1, true, true, false},
                          Case{2, true, true, true}}) {
        log::set_verbosity(c.verbosity);
        EXPECT_TRUE(log::enabled(log::Level::error)) << c.verbosity;
        EXPECT_EQ(log::enabled(log::Level::warn), c.warn) << c.verbosity;
        EXPECT_EQ(log::enabled(log::Level::info), c.info) << c.verbosity;
        EXPECT_EQ(log::enabled(log::Level::debug), c.debug) << c.verbosity;
    }
}

TEST_F(Log, FormatNamesAreTextOrJson) {
    EXPECT_TRUE(log::set_format("json"));
    EXPECT_TRUE(log::set_format("text"));
    EXPECT_FALSE(log::set_format("xml"));
}

TEST_F(Log, SignalSafeLinesLookLikeEveryOtherLineInEitherFormat) {
    char buf[256];
    size_t n = log::signal_safe_line(log::Level::warn, "second \"signal\"", buf, sizeof buf);
    std::string line(buf, n);
    ASSERT_EQ(line.back(), '\n');
    line.pop_back();
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z warning second "signal")")))
        << line;
    // The same date and time as the formatters', to the second (read a moment apart).
    const auto formatted = log::line(log::Level::warn, "x");
    EXPECT_EQ(line.substr(0, 16), formatted.substr(0, 16)) << line << " / " << formatted;

    log::set_format(log::Format::json);
    n = log::signal_safe_line(log::Level::warn, "second \"signal\" \\ now", buf, sizeof buf);
    const auto j = nlohmann::json::parse(std::string(buf, n));
    EXPECT_TRUE(
        std::regex_match(j.at("ts").get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
    EXPECT_EQ(j.at("ts").get<std::string>().substr(0, 16),
              nlohmann::json::parse(log::line(log::Level::warn, "x")).at("ts").get<std::string>().substr(0, 16));
    EXPECT_EQ(j.at("level"), "warning");
    EXPECT_EQ(j.at("msg"), "second \"signal\" \\ now");

    EXPECT_EQ(log::signal_safe_line(log::Level::error, "a long message", buf, 10), 10u) << "cut to the buffer";
    EXPECT_EQ(buf[9], '\n');
}
