// Every folder of examples/ is a working pipeline: each runs here, in a database of its own, and
// must print what its expected.out says.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "config/config.hpp"
#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> example_names() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(fs::path(DGKAFKA_SOURCE_DIR) / "examples"))
        if (fs::exists(entry.path() / "dgkafka.toml")) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// All rows of a query, columns joined by '|', rows by '\n'.
std::string query_text(pqxx::connection& conn, const std::string& query) {
    pqxx::nontransaction tx(conn);
    std::string out;
    for (const auto& row : tx.exec(query)) {
        if (!out.empty()) out += '\n';
        for (pqxx::row::size_type i = 0; i < row.size(); ++i)
            out += (i ? "|" : "") + (row[i].is_null() ? std::string() : row[i].as<std::string>());
    }
    return out;
}

}  // namespace

class Examples : public ::testing::TestWithParam<std::string> {};

TEST_P(Examples, RunsEndToEndAndPrintsItsExpectedResult) {
    const fs::path dir = fs::path(DGKAFKA_SOURCE_DIR) / "examples" / GetParam();
    const std::string database = unique_name("example");
    const std::string topic = unique_name("example");
    sql("CREATE DATABASE \"" + database + "\"");
    pqxx::connection conn("dbname=" + database);
    if (fs::exists(dir / "schema.sql")) {  // none: setup creates the output table (create_table)
        pqxx::nontransaction tx(conn);
        tx.exec(read(dir / "schema.sql"));
    }

    // The example's config, pointed at the sandbox: its brokers, a topic and a database of its own.
    std::string toml = read(dir / "dgkafka.toml");
    toml = std::regex_replace(toml, std::regex(R"(brokers = "[^"]*")"), "brokers = \"" + brokers() + "\"");
    toml = std::regex_replace(toml, std::regex(R"(\btopic = "[^"]*")"), "topic = \"" + topic + "\"");
    // A job of many topics: its pattern under this run's prefix (topics.jsonl's topics get it too).
    toml = std::regex_replace(toml, std::regex(R"(\btopic_pattern = ")"), "topic_pattern = \"" + topic + "\\\\.");
    toml = std::regex_replace(toml, std::regex(R"(partition_num = \d+)"), "partition_num = 3");
    toml = std::regex_replace(toml, std::regex(R"(schema_registry = "[^"]*")"),
                              "schema_registry = \"" + sandbox().at("SCHEMA_REGISTRY_URL") + "\"");
    toml = std::regex_replace(toml, std::regex(R"(\[dgkafka\]\n)"), "[dgkafka]\ndatabase = \"" + database + "\"\n");
    const auto path = write_file(database + ".toml", toml);
    const auto cfg = dgkafka::parse_config(toml, path);

    create_topic(topic, 3);
    if (fs::exists(dir / "messages.jsonl")) {
        std::vector<Record> records;
        std::istringstream lines(read(dir / "messages.jsonl"));
        std::string line;
        while (std::getline(lines, line))
            if (!line.empty()) records.push_back({line, std::nullopt, static_cast<int32_t>(records.size() % 3)});
        produce(topic, records);
    }
    if (fs::exists(dir / "events.jsonl")) {  // keyed: {"key": ..., "value": ... or null for a tombstone}
        std::vector<Record> records;
        std::istringstream lines(read(dir / "events.jsonl"));
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            const auto event = nlohmann::json::parse(line);
            const std::string key = event["key"].dump();
            const auto partition = static_cast<int32_t>(std::hash<std::string>{}(key) % 3);  // one key, one partition
            records.push_back(
                {event["value"].is_null() ? "" : event["value"].dump(), key, partition, event["value"].is_null()});
        }
        produce(topic, records);
    }
    if (fs::exists(dir / "topics.jsonl")) {  // {"topic": ..., "key": ..., "value": ... or null}, several topics
        std::map<std::string, std::vector<Record>> by_topic;
        std::istringstream lines(read(dir / "topics.jsonl"));
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            const auto event = nlohmann::json::parse(line);
            const std::string key = event["key"].dump();
            by_topic[topic + "." + event["topic"].get<std::string>()].push_back(
                {event["value"].is_null() ? "" : event["value"].dump(), key,
                 static_cast<int32_t>(std::hash<std::string>{}(key) % 3), event["value"].is_null()});
        }
        for (const auto& [name, records] : by_topic) {
            create_topic(name, 3);
            produce(name, records);
        }
    }
    // A script that encodes its own messages (Avro through the registry), hex, one a line.
    const auto produce_script = [&](const std::string& script) {
        const std::string command =
            "/usr/bin/python3 " + (dir / script).string() + " " + sandbox().at("SCHEMA_REGISTRY_URL") + " " + topic;
        FILE* p = popen(command.c_str(), "r");
        ASSERT_NE(p, nullptr);
        std::string out;
        char buf[4096];
        for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
        ASSERT_EQ(pclose(p), 0) << command;
        std::vector<Record> records;
        std::istringstream lines(out);
        std::string hex;
        while (std::getline(lines, hex)) {
            std::string value;
            for (size_t i = 0; i + 1 < hex.size(); i += 2)
                value += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
            records.push_back({value, std::nullopt, static_cast<int32_t>(records.size() % 3)});
        }
        produce(topic, records);
    };
    if (fs::exists(dir / "produce.py")) produce_script("produce.py");
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".csv") {
            const std::string d = cfg.delimiter;
            const auto r = run("csv2kafka", {"-d", d, "-w", d, brokers(), topic, entry.path().string()});
            ASSERT_EQ(r.code, 0) << r.err;
        }

    auto r = run("dgkafka", {"setup", path});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;
    if (fs::exists(dir / "later.py")) {  // what producers send after that load, loaded by the next
        produce_script("later.py");
        r = run("dgkafka", {"load", "-quit-at-eof", path});
        ASSERT_EQ(r.code, 0) << r.err;
    }

    std::string expected = read(dir / "expected.out");
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    EXPECT_EQ(query_text(conn, read(dir / "check.sql")), expected) << "load output: " << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(All, Examples, ::testing::ValuesIn(example_names()), [](const auto& param_info) {
    return std::regex_replace(param_info.param, std::regex("-"), "_");
});
