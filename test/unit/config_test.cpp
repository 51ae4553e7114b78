#include "config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "kafka/properties.hpp"

using namespace dgkafka;

namespace {
std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::string minimal = R"(
[dgkafka]
database = "db"

[kafka]
brokers = "localhost:9092"

[kafka.input]
format = "csv"
consumer_group = "g"
topic = "t"
[[kafka.input.columns]]
name = "a"
type = "integer"

[kafka.output]
output_table = "out"
)";

// Parses and returns the problems, or an empty list.
std::vector<std::string> problems(const std::string& toml) {
    try {
        parse_config(toml, "job.toml", kafka::check_property);
    } catch (const ConfigError& e) {
        return e.problems();
    }
    return {};
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}
}  // namespace

TEST(Config, TheSpecExampleParsesAsWrittenPlusBrokers) {
    const std::string path = std::string(DGKAFKA_SOURCE_DIR) + "/examples/customer-csv/dgkafka.toml";
    const Config c = parse_config(read(path), path);
    EXPECT_EQ(c.format, Format::csv);
    EXPECT_EQ(c.delimiter, "|");
    EXPECT_EQ(c.topic, "customer");
    EXPECT_EQ(c.consumer_group, "dggrp");
    EXPECT_EQ(c.partition_num, 3);
    ASSERT_EQ(c.columns.size(), 8u);
    EXPECT_EQ(c.columns[1].name, "c_name");
    EXPECT_EQ(c.columns[1].type, "varchar(25)");
    EXPECT_EQ(c.output_table.quoted(), "\"customer\"");
    EXPECT_EQ(c.history_table.quoted(), "\"kafka_offset_summary\"");
    EXPECT_EQ(c.offset_table.quoted(), "\"kafka_offset\"");
    EXPECT_EQ(c.read_table.quoted(), "\"customer_kafka_read\"");
    EXPECT_EQ(c.reject_table.quoted(), "\"customer_rejects\"");
    EXPECT_EQ(c.max_row, 10000);
    EXPECT_EQ(c.minimal_interval, -1);
    EXPECT_FALSE(c.db.password.has_value()) << "password = \"\" means none";
    EXPECT_EQ(c.unused_keys, (std::vector<std::string>{"dgkafka.xdrive_host", "dgkafka.xdrive_kafka_endpoint",
                                                       "dgkafka.xdrive_offset_endpoint", "dgkafka.xdrive_port",
                                                       "kafka.input.nwriter"}));
    EXPECT_EQ(c.write_table.quoted(), "\"customer_kafka_write\"") << "the outbox of dgkafka publish";
}

TEST(Config, DefaultsAndTheSpecsJsonMappingExample) {
    const auto toml = replace(replace(minimal, "format = \"csv\"", "format = \"json\""),
                              "[[kafka.input.columns]]\nname = \"a\"\ntype = \"integer\"\n", "") +
                      R"toml(
[[kafka.output.mappings]]
  name= "cust_id"
  key = "(jdata->>'customer_id')"
[[kafka.output.mappings]]
  name= "j1, j2"
  key= "(udf_parse_json(jdata)).*"
)toml";
    const Config c = parse_config(toml, "job.toml");
    ASSERT_EQ(c.columns.size(), 1u);
    EXPECT_EQ(c.columns[0].name, "jdata");
    EXPECT_EQ(c.columns[0].type, "json");
    EXPECT_EQ(c.target_columns(), (std::vector<std::string>{"cust_id", "j1", "j2"}));
    EXPECT_EQ(c.max_row, 1000);
    EXPECT_EQ(c.minimal_interval, -1);
    EXPECT_EQ(c.offset_table.name, "kafka_offset");
}

TEST(Config, UnknownKeyNamesFileLineAndSuggestsTheNearestKey) {
    const auto p = problems(replace(minimal, "topic = \"t\"", "topic = \"t\"\nconsumer_gruop = \"x\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0],
              "job.toml:12: kafka.input.consumer_gruop: unknown key (did you mean \"kafka.input.consumer_group\"?)");
}

TEST(Config, WrongTypeNamesTheExpectedAndActualType) {
    const auto p = problems(replace(minimal, "database = \"db\"", "database = \"db\"\nport = \"5432\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0], "job.toml:4: dgkafka.port: expected an integer, got a string (\"5432\")");
}

// TOML has inf and nan: no interval or timeout is either.
TEST(Config, InfinityAndNanAreNotNumbers) {
    const auto p = problems(minimal + "\n[kafka.commit]\nminimal_interval = inf\nretry_timeout = nan\n");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_NE(p[0].find("kafka.commit.minimal_interval: expected a number, got a float (inf)"), std::string::npos)
        << p[0];
    EXPECT_NE(p[1].find("kafka.commit.retry_timeout: expected a number, got a float (nan)"), std::string::npos) << p[1];
}

TEST(Config, AUtf16FileIsNamedAsNotUtf8) {
    std::string utf16 = "\xFF\xFE";
    for (char c : minimal) (utf16 += c) += '\0';
    try {
        parse_config(utf16, "job.toml");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "job.toml: not UTF-8 text (UTF-16?): save the config as UTF-8");
    }
}

TEST(Config, MissingRequiredKey) {
    const auto p = problems(replace(minimal, "topic = \"t\"\n", ""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.input.topic: required key is missing"), std::string::npos);
    EXPECT_EQ(p[0].rfind("job.toml", 0), 0u);
}

TEST(Config, AMissingSectionIsNamedAsASection) {
    const auto p = problems(replace(minimal, "[dgkafka]\ndatabase = \"db\"\n", ""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("dgkafka: required section [dgkafka] is missing: the database connection"), std::string::npos)
        << p[0];
}

TEST(Config, BadValuesAreAllReportedAtOnceInLineOrder) {
    std::string toml = replace(minimal, "format = \"csv\"", "format = \"xml\"");
    toml = replace(toml, "type = \"integer\"", "type = \"  \"");
    toml += "\n[kafka.commit]\nmax_row = 0\nminimal_interval = -5\n";
    const auto p = problems(toml);
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0], "job.toml:9: kafka.input.format: \"xml\" is not one of csv, json, binary, avro, protobuf");
    EXPECT_EQ(p[1], "job.toml:14: kafka.input.columns[0].type: is empty: give a PostgreSQL type such as \"text\"");
    EXPECT_EQ(p[2], "job.toml:20: kafka.commit.max_row: 0 must be between 1 and 10000000");
    EXPECT_EQ(p[3], "job.toml:21: kafka.commit.minimal_interval: -5 must be -1 (do not wait) or 0 or more seconds");
}

TEST(Config, AnIntegerPast64BitsIsOutOfRangeNotItsLimit) {
    for (const char* n : {"99999999999999999999", "-99999999999999999999"}) {
        const auto p = problems(minimal + "\n[kafka.commit]\nmax_row = " + n + "\n");
        ASSERT_EQ(p.size(), 1u) << n;
        EXPECT_EQ(p[0], "job.toml:20: kafka.commit.max_row: is out of range: the number does not fit in 64 bits") << n;
    }
}

TEST(Config, KafkaPropertiesPassThroughAndLibrdkafkaErrorsAreShownBesideTheKey) {
    const auto ok =
        parse_config(minimal + "\n[kafka.properties]\n\"security.protocol\" = \"ssl\"\n\"fetch.wait.max.ms\" = 50\n",
                     "job.toml", kafka::check_property);
    EXPECT_EQ(ok.kafka_properties, (std::vector<std::pair<std::string, std::string>>{{"fetch.wait.max.ms", "50"},
                                                                                     {"security.protocol", "ssl"}}));
    const auto p = problems(
        minimal + "\n[kafka.properties]\n\"no.such.property\" = \"1\"\n\"security.protocol\" = \"carrier-pigeon\"\n");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].rfind("job.toml:20: kafka.properties.no.such.property: librdkafka: ", 0), 0u) << p[0];
    EXPECT_NE(p[0].find("No such configuration property"), std::string::npos) << p[0];
    EXPECT_EQ(p[1].rfind("job.toml:21: kafka.properties.security.protocol: librdkafka: ", 0), 0u) << p[1];
}

TEST(Config, SyntaxErrorsNameTheFile) {
    const auto p = problems("[dgkafka\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].rfind("job.toml: not valid TOML", 0), 0u);
}

TEST(Config, CsvNeedsColumnsAndJsonTakesExactlyOne) {
    auto p = problems(replace(minimal, "[[kafka.input.columns]]\nname = \"a\"\ntype = \"integer\"\n", ""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.input.columns: required for format = \"csv\""), std::string::npos);
    p = problems(replace(minimal, "format = \"csv\"", "format = \"json\"") +
                 "[[kafka.input.columns]]\nname = \"b\"\ntype = \"json\"\n");
    ASSERT_FALSE(p.empty());
    EXPECT_NE(p[0].find("reads each message into exactly one column, 2 given"), std::string::npos);
}

TEST(Config, TableNamesAreLiteralAndSchemaQualified) {
    const auto c =
        parse_config(replace(minimal, "output_table = \"out\"", "output_table = \"sales.Order Lines\""), "job.toml");
    EXPECT_EQ(c.output_table.quoted(), "\"sales\".\"Order Lines\"");
    EXPECT_EQ(c.reject_table.quoted(), "\"sales\".\"Order Lines_rejects\"");
    const auto p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"a.b.c\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.output_table: \"a.b.c\" is not a valid table name"), std::string::npos);
}

TEST(Config, DatabaseSettingsAreAllHonoured) {
    const auto c = parse_config(replace(minimal, "database = \"db\"",
                                        "database = \"db\"\nhost = \"/var/run/pg\"\nport = 6543\nuser = \"u\"\n"
                                        "password = \"secret\"\nsslmode = \"verify-full\"\nsslrootcert = \"ca.pem\"\n"
                                        "sslcert = \"c.pem\"\nsslkey = \"k.pem\"\nconnect_timeout = 7"),
                                "job.toml");
    EXPECT_EQ(c.db.host, "/var/run/pg");
    EXPECT_EQ(c.db.port, 6543);
    EXPECT_EQ(c.db.password, "secret");
    EXPECT_EQ(c.db.sslmode, "verify-full");
    EXPECT_EQ(c.db.connect_timeout, 7);
    const auto p = problems(replace(minimal, "database = \"db\"", "database = \"db\"\nsslmode = \"maybe\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("dgkafka.sslmode: \"maybe\" is not one of"), std::string::npos);
}

TEST(Config, PasswordFromAFileOrTheEnvironmentButOneWayOnly) {
    const std::string file = ::testing::TempDir() + "dgkafka_pw";
    { std::ofstream(file) << "s3cret\r\n"; }
    auto c = parse_config(replace(minimal, "database = \"db\"", "database = \"db\"\npassword_file = \"" + file + "\""),
                          "job.toml");
    EXPECT_EQ(c.db.password, "s3cret");
    EXPECT_FALSE(c.db.password_in_file);
    setenv("DGKAFKA_UNIT_PW", "from-env", 1);
    c = parse_config(replace(minimal, "database = \"db\"", "database = \"db\"\npassword_env = \"DGKAFKA_UNIT_PW\""),
                     "job.toml");
    EXPECT_EQ(c.db.password, "from-env");
    unsetenv("DGKAFKA_UNIT_PW");
    auto p = problems(replace(minimal, "database = \"db\"", "database = \"db\"\npassword_env = \"DGKAFKA_UNIT_PW\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("dgkafka.password_env: environment variable DGKAFKA_UNIT_PW is not set"), std::string::npos);
    p = problems(
        replace(minimal, "database = \"db\"", "database = \"db\"\npassword = \"x\"\npassword_file = \"" + file + "\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("give the password one way only"), std::string::npos);
    p = problems(replace(minimal, "database = \"db\"", "database = \"db\"\npassword = \"x\"\npassword_env = \"HOME\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("dgkafka.password_env: give the password one way only"), std::string::npos) << p[0];
    p = problems(replace(minimal, "database = \"db\"", "database = \"db\"\npassword_file = \"/nonexistent/pw\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("cannot read \"/nonexistent/pw\""), std::string::npos);
}

TEST(Config, AssignmentIsStaticOrGroup) {
    EXPECT_FALSE(parse_config(minimal, "job.toml").group_assignment);
    EXPECT_TRUE(parse_config(replace(minimal, "topic = \"t\"", "topic = \"t\"\nassignment = \"group\""), "job.toml")
                    .group_assignment);
    const auto p = problems(replace(minimal, "topic = \"t\"", "topic = \"t\"\nassignment = \"dynamic\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("\"dynamic\" is not one of static, group"), std::string::npos);
}

TEST(Config, ModesNeedMatchColumnsThatTheLoadWrites) {
    EXPECT_EQ(parse_config(minimal, "job.toml").mode, Config::Mode::insert);
    const auto merge = parse_config(
        replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nmode = \"merge\"\nmatch_columns = [\"a\"]"),
        "job.toml");
    EXPECT_EQ(merge.mode, Config::Mode::merge);
    EXPECT_EQ(merge.match_columns, (std::vector<std::string>{"a"}));
    auto p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nmode = \"update\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.match_columns: required for mode"), std::string::npos) << p[0];
    p = problems(replace(minimal, "output_table = \"out\"",
                         "output_table = \"out\"\nmode = \"merge\"\nmatch_columns = [\"zz\"]"));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("\"zz\" is not a column the load writes (a)"), std::string::npos) << p[0];
    p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nmode = \"upsert\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("\"upsert\" is not one of insert, merge, update"), std::string::npos) << p[0];
    p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nmatch_columns = [\"a\"]"));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("only used with mode"), std::string::npos) << p[0];
}

TEST(ConfigPayloads, ProtobufNeedsARegistryOrAFileWithItsMessageAndTheRegistryServesThreeFormats) {
    const std::string base = R"(
[dgkafka]
[kafka]
brokers = "b:9092"
[kafka.input]
consumer_group = "g"
topic = "t"
)";
    const std::string out = "[kafka.output]\noutput_table = \"t\"\n";
    const auto what = [&](const std::string& input) {
        try {
            parse_config(base + input + out, "p.toml");
            return std::string("accepted");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
    };
    EXPECT_NE(what("format = \"protobuf\"\n").find("format = \"protobuf\" needs exactly one of schema_registry"),
              std::string::npos);
    const std::string proto = ::testing::TempDir() + "dgkafka_config_test.proto";
    { std::ofstream(proto) << "syntax = \"proto3\"; message M { string x = 1; }"; }
    EXPECT_NE(what("format = \"protobuf\"\nprotobuf_file = \"" + proto + "\"\n")
                  .find("kafka.input.protobuf_message: required with protobuf_file"),
              std::string::npos);
    EXPECT_NE(what("format = \"protobuf\"\nschema_registry = \"http://r\"\nprotobuf_message = \"M\"\n")
                  .find("kafka.input.protobuf_message: only used with protobuf_file"),
              std::string::npos);
    EXPECT_NE(what("format = \"json\"\nprotobuf_file = \"x.proto\"\n")
                  .find("kafka.input.protobuf_file: only used with format = \"protobuf\""),
              std::string::npos);
    EXPECT_NE(what("format = \"csv\"\nschema_registry = \"http://r\"\n[[kafka.input.columns]]\nname = \"a\"\ntype = "
                   "\"text\"\n")
                  .find("kafka.input.schema_registry: only used with format = \"avro\", \"protobuf\" or \"json\""),
              std::string::npos);
    const auto cfg = parse_config(
        base + "format = \"protobuf\"\nprotobuf_file = \"" + proto + "\"\nprotobuf_message = \"M\"\n" + out, "p.toml");
    EXPECT_EQ(cfg.format, Format::protobuf);
    EXPECT_EQ(cfg.protobuf.message, "M");
    EXPECT_EQ(cfg.columns.size(), 1u);
    EXPECT_EQ(cfg.columns[0].name, "jdata");
    const auto json = parse_config(base + "format = \"json\"\nschema_registry = \"http://r/\"\n" + out, "j.toml");
    EXPECT_EQ(json.avro.registry_urls, std::vector<std::string>{"http://r"});
}

TEST(ConfigPayloads, AvroNeedsExactlyOneSchemaSourceAndDebeziumNeedsMerge) {
    const std::string base = R"(
[dgkafka]
[kafka]
brokers = "b:9092"
[kafka.input]
consumer_group = "g"
topic = "t"
)";
    try {
        parse_config(base + "format = \"avro\"\n[kafka.output]\noutput_table = \"t\"\n", "a.toml");
        FAIL() << "accepted avro without a schema source";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("needs exactly one of schema_registry"), std::string::npos) << e.what();
    }
    try {
        parse_config(base +
                         "format = \"json\"\nenvelope = \"debezium\"\nschema_registry = \"ftp://x\"\n"
                         "[kafka.output]\noutput_table = \"t\"\ndelete_on_tombstone = true\n",
                     "d.toml");
        FAIL() << "accepted debezium in insert mode";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("d.toml:10: kafka.input.schema_registry: \"ftp://x\" is not an http:// or https:// URL"),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find("needs mode = \"merge\" with match_columns"), std::string::npos) << what;
        EXPECT_NE(what.find("d.toml:13: kafka.output.delete_on_tombstone: needs mode = \"merge\""), std::string::npos)
            << what;
    }
    setenv("DGK_TEST_REGISTRY_PW", "pw", 1);
    const auto cfg =
        parse_config(base +
                         "format = \"avro\"\nschema_registry = [\"http://r1:8081/\", \"https://r2\"]\n"
                         "schema_registry_user = \"u\"\nschema_registry_password_env = \"DGK_TEST_REGISTRY_PW\"\n"
                         "envelope = \"debezium\"\n[kafka.output]\noutput_table = \"t\"\nmode = \"merge\"\n"
                         "match_columns = [\"id\"]\n",
                     "ok.toml");
    EXPECT_EQ(cfg.format, Format::avro);
    EXPECT_EQ(cfg.envelope, Envelope::debezium);
    EXPECT_EQ(cfg.avro.registry_urls, (std::vector<std::string>{"http://r1:8081", "https://r2"}));
    EXPECT_EQ(cfg.avro.password, "pw");
    EXPECT_EQ(cfg.columns.at(0).name, "jdata");
}

TEST(Config, AnOutputTableWhoseDerivedNamesPassPostgresLimitIsAnErrorAtItsLine) {
    const std::string name52(52, 'n');  // + "_kafka_read" = 63 bytes: fits
    EXPECT_TRUE(problems(replace(minimal, "output_table = \"out\"", "output_table = \"" + name52 + "\"")).empty());
    const std::string name53(53, 'n');  // + "_kafka_read" = 64 bytes: PostgreSQL would truncate it
    const auto p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"" + name53 + "\""));
    ASSERT_EQ(p.size(), 1u) << (p.empty() ? "" : p[0]);
    EXPECT_NE(p[0].find("job.toml:"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("kafka.input.ext_read_table"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("64 bytes"), std::string::npos) << p[0];
    EXPECT_NE(p[0].find("derived from kafka.output.output_table"), std::string::npos) << p[0];
}

TEST(Config, ATableNamedTwiceIsAnError) {
    const auto p =
        problems(replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nreject_table = \"out\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("is also kafka.output.output_table"), std::string::npos) << p[0];
}

TEST(Config, ADirectoryGivenAsTheConfigSaysSo) {
    try {
        load_config(DGKAFKA_SOURCE_DIR);
        FAIL() << "a directory parsed as a config";
    } catch (const ConfigError& e) {
        ASSERT_EQ(e.problems().size(), 1u);
        EXPECT_NE(e.problems()[0].find("is a directory"), std::string::npos) << e.problems()[0];
    }
}

TEST(Config, DelimiterIsAStringAsTheManualsDelimiterString) {
    const auto c =
        parse_config(replace(minimal, "format = \"csv\"", "format = \"csv\"\ndelimiter = \"||\""), "job.toml");
    EXPECT_EQ(c.delimiter, "||");
    auto p = problems(replace(minimal, "format = \"csv\"", "format = \"csv\"\ndelimiter = \"\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.input.delimiter"), std::string::npos) << p[0];
    p = problems(replace(minimal, "format = \"csv\"", "format = \"csv\"\ndelimiter = \"|\\\"\""));
    ASSERT_EQ(p.size(), 1u);
}

namespace {
const std::string two_targets = replace(minimal, "output_table = \"out\"\n", R"(unmatched = "skip"
[[kafka.output.targets]]
output_table = "big"
filter = "a > 10"
[[kafka.output.targets]]
output_table = "s.small"
filter = "a <= 10"
mode = "merge"
match_columns = ["a"]
)");
}  // namespace

TEST(Config, TargetsGiveTheJobItsTablesAndTheJobKeysTheFirstTargets) {
    const Config c = parse_config(two_targets, "job.toml");
    ASSERT_EQ(c.targets.size(), 2u);
    ASSERT_EQ(c.outputs().size(), 2u);
    EXPECT_EQ(c.output_table.quoted(), "\"big\"");  // the job's offsets are stored under the first table
    EXPECT_EQ(c.targets[1].output_table.quoted(), "\"s\".\"small\"");
    EXPECT_EQ(c.targets[1].mode, Config::Mode::merge);
    EXPECT_EQ(c.targets[1].match_columns, std::vector<std::string>{"a"});
    EXPECT_EQ(c.targets[0].filter, "a > 10");
    EXPECT_EQ(c.unmatched, Config::Unmatched::skip);
    EXPECT_EQ(c.targets[1].reject_table.quoted(), c.reject_table.quoted());  // one reject table for the job
    EXPECT_EQ(c.targets[1].where("kafka.output.filter"), "job.toml:23: kafka.output.targets[1].filter");
}

TEST(Config, ATargetsProblemNamesTheTargetAndItsLine) {
    auto p = problems(replace(two_targets, "mode = \"merge\"", "mode = \"upsert\""));
    ASSERT_GE(p.size(), 1u);
    EXPECT_NE(p[0].find("job.toml:24: kafka.output.targets[1].mode: \"upsert\" is not one of"), std::string::npos)
        << p[0];
    p = problems(replace(two_targets, "filter = \"a > 10\"", "filtre = \"a > 10\""));
    ASSERT_EQ(p.size(), 1u) << p[0];
    EXPECT_NE(p[0].find("kafka.output.targets[0].filtre: unknown key (did you mean"), std::string::npos) << p[0];
}

TEST(Config, TargetsRefuseTheJobsOwnTableKeysAndUnmatchedNeedsThem) {
    auto p = problems(replace(two_targets, "unmatched = \"skip\"", "filter = \"a > 1\""));
    ASSERT_EQ(p.size(), 1u) << p[0];
    EXPECT_NE(p[0].find("kafka.output.filter: with [[kafka.output.targets]], each target gives its own filter"),
              std::string::npos)
        << p[0];
    p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"out\"\nunmatched = \"stop\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.unmatched: only used with [[kafka.output.targets]]"), std::string::npos) << p[0];
    p = problems(replace(minimal, "output_table = \"out\"\n", ""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.output_table: required key is missing"), std::string::npos) << p[0];
}

TEST(Config, TargetsOfJsonDocumentsNeedMappings) {
    auto json = replace(two_targets, "format = \"csv\"", "format = \"json\"");
    json = replace(json, "[[kafka.input.columns]]\nname = \"a\"\ntype = \"integer\"\n", "");
    json = replace(json, "a > 10", "(jdata->>'a')::int > 10");
    json = replace(json, "a <= 10", "(jdata->>'a')::int <= 10");
    json = replace(json, "mode = \"merge\"\nmatch_columns = [\"a\"]\n", "");
    const auto p = problems(json);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_NE(p[0].find("kafka.output.targets[0]: needs mappings"), std::string::npos) << p[0];
}

TEST(Config, CreateTableAndEvolveNeedASchemaThatNamesTheColumns) {
    // csv: its columns are the config's, not a schema's.
    auto p = problems(minimal + "create_table = true\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.create_table: needs format \"avro\", \"protobuf\" or \"json\" without mappings"),
              std::string::npos)
        << p[0];
    // json without a registry or an envelope carries no schema.
    const auto json = replace(replace(minimal, "format = \"csv\"", "format = \"json\""),
                              "[[kafka.input.columns]]\nname = \"a\"\ntype = \"integer\"\n", "");
    p = problems(json + "evolve = true\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.evolve: format = \"json\" carries no schema"), std::string::npos) << p[0];
    // With a JSON Schema registry it is taken.
    EXPECT_TRUE(problems(replace(json, "topic = \"t\"", "topic = \"t\"\nschema_registry = \"http://r:8081\"") +
                         "create_table = true\nevolve = true\n")
                    .empty());
}

TEST(Config, ManyTopicsNameEachTopicsTableFromItsName) {
    const auto debezium = replace(replace(minimal, "topic = \"t\"", "topic_pattern = \"shop\\\\.public\\\\..*\""),
                                  "output_table = \"out\"", "output_table = \"${topic[1]}.${topic[-1]}\"");
    const Config c = parse_config(debezium, "job.toml");
    EXPECT_TRUE(c.many_topics());
    EXPECT_TRUE(c.takes_topic("shop.public.orders"));
    EXPECT_FALSE(c.takes_topic("shop.public"));
    EXPECT_FALSE(c.takes_topic("other.shop.public.orders"));
    const Config orders = c.for_topic("shop.public.orders");
    EXPECT_EQ(orders.topic, "shop.public.orders");
    EXPECT_EQ(orders.output_table.quoted(), "\"public\".\"orders\"");
    EXPECT_FALSE(orders.many_topics());
    EXPECT_EQ(c.reject_table.quoted(), "\"dgkafka_rejects\"");  // the job's, not one topic's
    EXPECT_EQ(orders.reject_table.quoted(), c.reject_table.quoted());

    const auto listed = replace(replace(minimal, "topic = \"t\"", "topics = [\"a\", \"b\"]"), "output_table = \"out\"",
                                "output_table = \"t_${topic}\"");
    const Config l = parse_config(listed, "job.toml");
    EXPECT_EQ(l.for_topic("b").output_table.quoted(), "\"t_b\"");
    EXPECT_FALSE(l.takes_topic("c"));
    EXPECT_EQ(c.for_topic("x.y").output_table.quoted(), "\"y\".\"y\"");  // part 1 and the last are one here
    try {
        (void)l.for_topic("a.b.c");
        FAIL() << "t_a.b.c has two dots";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("for topic a.b.c, output_table \"t_${topic}\" makes no table name"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Config, ManyTopicsProblemsNameTheKey) {
    auto p = problems(replace(minimal, "topic = \"t\"", "topic = \"t\"\ntopics = [\"a\"]"));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.input.topic: give one of topic, topics and topic_pattern"), std::string::npos) << p[0];
    p = problems(replace(minimal, "output_table = \"out\"", "output_table = \"${topic}\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("needs kafka.input.topics or topic_pattern"), std::string::npos) << p[0];
    p = problems(replace(replace(minimal, "topic = \"t\"", "topics = [\"a\"]"), "output_table = \"out\"",
                         "output_table = \"${topic[7]}\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.output_table: for topic a, output_table \"${topic[7]}\" makes no table name: "
                        "${topic[7]}: topic a has 1 dot-separated part(s)"),
              std::string::npos)
        << p[0];
    // With a pattern, each topic's parts are known when its load starts: any index is taken here.
    EXPECT_TRUE(problems(replace(replace(minimal, "topic = \"t\"", "topic_pattern = \"prod\\\\..*\""),
                                 "output_table = \"out\"", "output_table = \"${topic[3]}.${topic[-1]}\""))
                    .empty());
    p = problems(replace(minimal, "topic = \"t\"", "topic_pattern = \"(\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.input.topic_pattern: \"(\" is not a regular expression"), std::string::npos) << p[0];
}

TEST(Config, ATargetsTableIsNotAnotherTargetsNorOneOfTheJobsOwn) {
    auto p = problems(replace(two_targets, "output_table = \"s.small\"", "output_table = \"big\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.targets[1].output_table: big is another target's table or one of the job's own"),
              std::string::npos)
        << p[0];
    p = problems(replace(two_targets, "output_table = \"s.small\"", "output_table = \"big_rejects\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("big_rejects is another target's table"), std::string::npos) << p[0];
}

TEST(Config, OnlyOutputTableNamesATableFromEachTopic) {
    const auto p = problems(replace(replace(minimal, "topic = \"t\"", "topics = [\"a\"]"), "output_table = \"out\"",
                                    "output_table = \"${topic}\"\nreject_table = \"${topic}_rej\""));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("kafka.output.reject_table: only output_table names a table from each topic"),
              std::string::npos)
        << p[0];
}
