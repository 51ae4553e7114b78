#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/dgkafka_cli.hpp"
#include "csv2kafka/csv2kafka.hpp"
#include "util/args.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

using namespace dgkafka;

TEST(Cli, SingleDashLongFlagsAreAcceptedLikeTheSpecWritesThem) {
    const std::set<std::string> names = {"quit-at-eof", "force-reset-earliest", "loaders"};
    EXPECT_EQ(
        args::normalize({"load", "-quit-at-eof", "-loaders=2", "--force-reset-earliest", "-v", "-vv", "x.toml"}, names),
        (std::vector<std::string>{"load", "--quit-at-eof", "--loaders=2", "--force-reset-earliest", "-v", "-vv",
                                  "x.toml"}));
}

namespace {
struct Run {
    int code;
    std::string out, err;
};
Run dg(std::vector<const char*> args) {
    args.insert(args.begin(), "dgkafka");
    std::ostringstream out, err;
    std::atomic<bool> stop{false};
    const int code = cli::dgkafka_main(static_cast<int>(args.size()), args.data(), out, err, stop);
    return {code, out.str(), err.str()};
}
}  // namespace

TEST(Cli, HelpAndVersion) {
    auto r = dg({"--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("setup"), std::string::npos);
    EXPECT_NE(r.out.find("check"), std::string::npos);
    r = dg({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("dgkafka ", 0), 0u);
    r = dg({"load", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("quit-at-eof"), std::string::npos);
}

TEST(Cli, UsageErrorsExitWithTheUsageCode) {
    EXPECT_EQ(dg({}).code, static_cast<int>(Exit::usage));
    auto r = dg({"frobnicate", "x.toml"});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos);
    EXPECT_EQ(dg({"load"}).code, static_cast<int>(Exit::usage));
    EXPECT_EQ(dg({"load", "-no-such-flag", "x.toml"}).code, static_cast<int>(Exit::usage));
}

TEST(Cli, BothResetFlagsTogetherAreAnError) {
    const std::string path = std::string(DGKAFKA_SOURCE_DIR) + "/examples/customer-csv/dgkafka.toml";
    auto r = dg({"load", "-force-reset-earliest", "-force-reset-latest", path.c_str()});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("-force-reset-earliest and -force-reset-latest exclude each other"), std::string::npos)
        << r.err;
    r = dg({"load", "-force-reset-offset", "0:5", "-force-reset-timestamp", "2026-01-01", path.c_str()});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("exclude each other"), std::string::npos) << r.err;
}

TEST(Cli, ForceResetOffsetIsPartitionColonOffset) {
    const std::string path = std::string(DGKAFKA_SOURCE_DIR) + "/examples/customer-csv/dgkafka.toml";
    for (const char* bad : {"0", "0:x", "a:5", "0:5,1", "-1:5", "0:5:6"}) {
        auto r = dg({"load", "-force-reset-offset", bad, path.c_str()});
        EXPECT_EQ(r.code, static_cast<int>(Exit::usage)) << bad;
        EXPECT_NE(r.err.find("is not PARTITION:OFFSET"), std::string::npos) << bad << ": " << r.err;
    }
}

TEST(Cli, ForceResetOffsetRefusesAPartitionGivenTwice) {
    const std::string path = std::string(DGKAFKA_SOURCE_DIR) + "/examples/customer-csv/dgkafka.toml";
    auto r = dg({"load", "-force-reset-offset", "0:10,1:5,0:20", path.c_str()});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("partition 0 is given twice"), std::string::npos) << r.err;
}

TEST(Cli, MissingConfigFileIsAConfigError) {
    auto r = dg({"setup", "/nonexistent/dgkafka.toml"});
    EXPECT_EQ(r.code, static_cast<int>(Exit::config));
    EXPECT_NE(r.err.find("/nonexistent/dgkafka.toml: cannot read the config file: No such file or directory"),
              std::string::npos)
        << r.err;
}

TEST(Cli, AnUnknownFlagGetsTheNearestOneSuggested) {
    // The manual's own typo.
    auto r = dg({"load", "-quite-at-eof", "x.toml"});
    EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
    EXPECT_NE(r.err.find("unknown flag -quite-at-eof: did you mean -quit-at-eof?"), std::string::npos) << r.err;
    r = dg({"check", "--jsno", "x.toml"});
    EXPECT_NE(r.err.find("unknown flag --jsno: did you mean -json?"), std::string::npos) << r.err;
    r = dg({"load", "-force-reset-earlest", "x.toml"});
    EXPECT_NE(r.err.find("did you mean -force-reset-earliest?"), std::string::npos) << r.err;
    r = dg({"load", "-zzzzzzzzzz", "x.toml"});
    EXPECT_NE(r.err.find("unknown flag -zzzzzzzzzz"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
    EXPECT_EQ(args::unknown_flag({"-v", "-vv", "-h", "--loaders=2", "x.toml"}, {"loaders"}, "hv"), "");
}

// The error about a flag is logged as JSON when -log-format json is given, before or after it.
TEST(Cli, AnUnknownFlagIsLoggedInTheLogFormatGiven) {
    for (const auto& args :
         std::vector<std::vector<const char*>>{{"load", "-log-format", "json", "-quite-at-eof", "x.toml"},
                                               {"load", "-quite-at-eof", "--log-format=json", "x.toml"},
                                               {"load", "-log-format", "json"}}) {
        const auto r = dg(args);
        log::set_format(log::Format::text);
        EXPECT_EQ(r.code, static_cast<int>(Exit::usage));
        const auto line = r.err.substr(0, r.err.find('\n'));
        EXPECT_TRUE(nlohmann::json::accept(line)) << r.err;
        if (!nlohmann::json::accept(line)) continue;
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j.at("level"), "error");
        EXPECT_TRUE(j.at("msg").get<std::string>().find("unknown flag -quite-at-eof") != std::string::npos ||
                    j.at("msg").get<std::string>().find("give exactly one configuration file") != std::string::npos)
            << line;
    }
}

TEST(Cli, Csv2kafkaSuggestsTheNearestFlagToo) {
    std::ostringstream out, err;
    std::atomic<bool> stop{false};
    const char* argv[] = {"csv2kafka", "-d|", "--heder", "b:9092", "t", "f.csv"};
    EXPECT_EQ(csv2kafka::csv2kafka_main(6, argv, out, err, stop), static_cast<int>(Exit::usage));
    EXPECT_NE(err.str().find("unknown flag --heder: did you mean -header?"), std::string::npos) << err.str();
}
