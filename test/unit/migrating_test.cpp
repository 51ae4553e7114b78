// MIGRATING.md is code too: linked from the README, and its dgkafka.toml snippets are valid.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"

using namespace dgkafka;

namespace {
std::string read(const std::string& path) {
    std::ifstream in(std::string(DGKAFKA_SOURCE_DIR) + "/" + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The ```toml blocks that are dgkafka.toml (not xdrive.toml) fragments.
std::vector<std::string> dgkafka_snippets(const std::string& md) {
    std::vector<std::string> out;
    for (size_t at = md.find("```toml\n"); at != std::string::npos; at = md.find("```toml\n", at)) {
        at += 8;
        const auto end = md.find("```", at);
        const auto block = md.substr(at, end - at);
        if (block.find("xdrive.mount") == std::string::npos) out.push_back(block);
        at = end;
    }
    return out;
}
}  // namespace

TEST(Migrating, TheGuideIsLinkedFromTheReadmeAndItsConfigSnippetsParse) {
    EXPECT_NE(read("README.md").find("](MIGRATING.md)"), std::string::npos);
    const auto md = read("MIGRATING.md");
    const auto snippets = dgkafka_snippets(md);
    ASSERT_EQ(snippets.size(), 2u);
    const std::string job = "[dgkafka]\ndatabase = \"db\"\n";
    const std::string rest =
        "\n[kafka.input]\nformat = \"json\"\nconsumer_group = \"dggrp\"\ntopic = \"customer\"\n"
        "[kafka.output]\noutput_table = \"customer\"\n";
    // The first is a whole [kafka] table; the second its [kafka.properties], under a [kafka] with brokers.
    const auto first = parse_config(job + snippets[0] + rest, "MIGRATING.md");
    EXPECT_EQ(first.brokers, "kafkahost1:9092,kafkahost2:9092");
    EXPECT_EQ(first.kafka_properties.size(), 5u);
    const auto second = parse_config(job + "[kafka]\nbrokers = \"b:9092\"\n" + snippets[1] + rest, "MIGRATING.md");
    EXPECT_EQ(second.kafka_properties.size(), 5u);
    for (const char* step : {"keytool -exportcert", "keytool -importkeystore", "openssl pkcs12", "-reset-offsets",
                             "dgkafka publish", "dgkafka check"})
        EXPECT_NE(md.find(step), std::string::npos) << step;
}
