// Debezium's logical types with its defaults (decimal.handling.mode = precise, time.precision.mode
// = adaptive, the JSON converter with schemas.enable): change events shaped as Debezium's
// PostgreSQL connector documents them, loaded in merge mode with deletes, land as exact values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/job.hpp"
#include "support/sandbox.hpp"

using namespace dgtest;
using nlohmann::json;

namespace {

// Base64 of the minimal big-endian two's-complement bytes of `v`, as Kafka Connect sends a Decimal.
std::string unscaled(int64_t v) {
    std::string bytes;
    for (int i = 7; i >= 0; --i) bytes += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    while (bytes.size() > 1 && ((bytes[0] == 0 && !(bytes[1] & 0x80)) ||
                                (static_cast<unsigned char>(bytes[0]) == 0xff && (bytes[1] & 0x80))))
        bytes.erase(0, 1);
    static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
    }
    return out;
}

json field(const std::string& name, const std::string& type, const std::string& logical = "",
           json extra = json::object()) {
    json f = {{"type", type}, {"optional", name != "id"}, {"field", name}};
    if (!logical.empty()) {
        f["name"] = logical;
        f["version"] = 1;
    }
    f.update(extra);
    return f;
}

// The Value schema Debezium's PostgreSQL connector writes for
// CREATE TABLE inventory.things (id int PRIMARY KEY, price numeric(10,2), amount numeric, born date,
//   wake time, seen timestamp, seen_tz timestamptz, doc json, uid uuid)
const json row_fields =
    json::array({field("id", "int32"),
                 field("price", "bytes", "org.apache.kafka.connect.data.Decimal",
                       {{"parameters", {{"scale", "2"}, {"connect.decimal.precision", "10"}}}}),
                 field("amount", "struct", "io.debezium.data.VariableScaleDecimal",
                       {{"doc", "Variable scaled decimal"},
                        {"fields", json::array({{{"type", "int32"}, {"optional", false}, {"field", "scale"}},
                                                {{"type", "bytes"}, {"optional", false}, {"field", "value"}}})}}),
                 field("born", "int32", "io.debezium.time.Date"), field("wake", "int64", "io.debezium.time.MicroTime"),
                 field("seen", "int64", "io.debezium.time.MicroTimestamp"),
                 field("seen_tz", "string", "io.debezium.time.ZonedTimestamp"),
                 field("doc", "string", "io.debezium.data.Json"), field("uid", "string", "io.debezium.data.Uuid")});

const json value_schema = {
    {"type", "struct"},
    {"name", "dbserver1.inventory.things.Envelope"},
    {"optional", false},
    {"version", 1},
    {"fields", json::array({{{"type", "struct"},
                             {"fields", row_fields},
                             {"optional", true},
                             {"name", "dbserver1.inventory.things.Value"},
                             {"field", "before"}},
                            {{"type", "struct"},
                             {"fields", row_fields},
                             {"optional", true},
                             {"name", "dbserver1.inventory.things.Value"},
                             {"field", "after"}},
                            {{"type", "struct"},
                             {"fields", json::array({{{"type", "string"}, {"optional", false}, {"field", "connector"}},
                                                     {{"type", "int64"}, {"optional", false}, {"field", "ts_ms"}},
                                                     {{"type", "int64"}, {"optional", true}, {"field", "lsn"}}})},
                             {"optional", false},
                             {"name", "io.debezium.connector.postgresql.Source"},
                             {"field", "source"}},
                            {{"type", "string"}, {"optional", false}, {"field", "op"}},
                            {{"type", "int64"}, {"optional", true}, {"field", "ts_ms"}}})}};

const json key_schema = {{"type", "struct"},
                         {"name", "dbserver1.inventory.things.Key"},
                         {"optional", false},
                         {"fields", json::array({field("id", "int32")})}};

json row(int id, const json& price, const json& amount, const json& born, const json& wake, const json& seen,
         const json& seen_tz, const json& doc, const json& uid) {
    return {{"id", id},     {"price", price},     {"amount", amount}, {"born", born}, {"wake", wake},
            {"seen", seen}, {"seen_tz", seen_tz}, {"doc", doc},       {"uid", uid}};
}

json key_only(int id) { return row(id, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr); }

Record event(int id, const std::string& op, const json& before, const json& after, int64_t lsn) {
    const json payload = {{"before", before},
                          {"after", after},
                          {"source", {{"connector", "postgresql"}, {"ts_ms", 1700000000000 + lsn}, {"lsn", lsn}}},
                          {"op", op},
                          {"ts_ms", 1700000000100 + lsn}};
    const json key = {{"schema", key_schema}, {"payload", {{"id", id}}}};
    return {json{{"schema", value_schema}, {"payload", payload}}.dump(), key.dump()};
}

Record tombstone(int id) { return {"", json{{"schema", key_schema}, {"payload", {{"id", id}}}}.dump(), -1, true}; }

}  // namespace

TEST(DebeziumTypes, DefaultSettingsWithSchemasLoadExactValuesInMergeModeWithDeletes) {
    Job job("dbz_types");
    job.format = "json";
    job.max_row = 3;  // several batches, an update and a delete of one key in one of them
    job.input_extra = "envelope = \"debezium\"\n";
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    const json vsd = [](int scale, int64_t v) { return json{{"scale", scale}, {"value", unscaled(v)}}; }(3, -1234567);
    std::vector<Record> records = {
        event(1, "r", nullptr,
              row(1, unscaled(1234567), vsd, -1, int64_t{45296123456}, int64_t{1700000000123456},
                  "2023-11-14T22:13:20.123456Z", R"({"a": [1, 2]})", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
              1),
        event(2, "r", nullptr,
              row(2, unscaled(-1), json{{"scale", 0}, {"value", unscaled(42)}}, 19782, 0, -1, "1969-12-31T23:59:59Z",
                  R"("s")", "00000000-0000-0000-0000-000000000000"),
              2),
        event(3, "r", nullptr,
              row(3, unscaled(99999999), nullptr, -25567, int64_t{86399999999}, int64_t{-2208988800000000},
                  "1900-01-01T00:00:00+01:00", "[]", nullptr),
              3),
        // REPLICA IDENTITY DEFAULT: an update has no before; a delete's before holds the key only
        event(2, "u", nullptr,
              row(2, "C+o=", json{{"scale", 2}, {"value", unscaled(-5)}}, 0, int64_t{1000}, int64_t{1000001},
                  "2024-02-29T12:00:00.5+05:30", R"({"b": null})", "00000000-0000-0000-0000-000000000002"),
              4),
        event(8, "c", nullptr, row(8, unscaled(7), nullptr, 1, nullptr, nullptr, nullptr, "{}", nullptr), 5),
        event(8, "d", key_only(8), nullptr, 5),
        tombstone(8),
        event(4, "c", nullptr, row(4, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), 6),
        event(5, "c", nullptr, row(5, unscaled(1), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), 7),
        event(5, "d", nullptr, nullptr, 8),  // no before: the key (with its schema) names the row
        tombstone(5),
        event(6, "c", nullptr, row(6, "C+o", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), 9),
        event(7, "c", nullptr, row(7, "C+$=", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), 10),
        event(1, "u", nullptr,
              row(1, unscaled(1234567), vsd, -1, int64_t{45296123456}, int64_t{1700000000123456},
                  "2023-11-14T22:13:20.123456Z", R"({"a": [1, 2]})", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
              11),
    };
    create_topic(job.topic, 1);
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) +
        " (id int PRIMARY KEY, price numeric(10,2), amount numeric, born date, wake time, seen timestamp, "
        "seen_tz timestamptz, doc json, uid uuid)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;

    EXPECT_EQ(sql_value("SELECT string_agg(concat_ws('|', id, coalesce(price::text, '-'), coalesce(amount::text, '-'), "
                        "coalesce(born::text, '-'), coalesce(wake::text, '-'), coalesce(seen::text, '-'), "
                        "coalesce((seen_tz AT TIME ZONE 'UTC')::text, '-'), coalesce(doc::text, '-'), "
                        "coalesce(uid::text, '-')), E'\\n' ORDER BY id) FROM " +
                        dgtest::quoted(job.table)),
              "1|12345.67|-1234.567|1969-12-31|12:34:56.123456|2023-11-14 22:13:20.123456|2023-11-14 22:13:20.123456|"
              "{\"a\":[1,2]}|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\n"
              "2|30.50|-0.05|1970-01-01|00:00:00.001|1970-01-01 00:00:01.000001|2024-02-29 06:30:00.5|{\"b\":null}|"
              "00000000-0000-0000-0000-000000000002\n"
              "3|999999.99|-|1900-01-01|23:59:59.999999|1900-01-01 00:00:00|1899-12-31 23:00:00|[]|-\n"
              "4|-|-|-|-|-|-|-|-\n"
              "6|30.50|-|-|-|-|-|-|-");
    EXPECT_EQ(sql_value("SELECT string_agg(error, ',') FROM " + dgtest::quoted(job.table + "_rejects")),
              "field \"after.price\" (org.apache.kafka.connect.data.Decimal, scale 2): \"C+$=\" is not base64");
}

TEST(DebeziumTypes, WithoutASchemaAnEncodedValueIsARejectNamingTheFieldAndTheSettingToChange) {
    Job job("dbz_noschema");
    job.format = "json";
    job.input_extra = "envelope = \"debezium\"\n";
    job.output_extra = "mode = \"merge\"\nmatch_columns = [\"id\"]\n";
    // value.converter.schemas.enable = false: the payload alone, its values as Debezium encodes them.
    const auto event = [](int id, const json& after) {
        return Record{json{{"before", nullptr}, {"after", after}, {"op", "c"}, {"ts_ms", 1700000000100}}.dump(),
                      json{{"id", id}}.dump()};
    };
    std::vector<Record> records = {
        event(1, {{"id", 1}, {"price", "12.34"}, {"seen", "2023-11-14 22:13:20"}}),  // string / connect settings
        event(2, {{"id", 2}, {"price", "C+o="}, {"seen", nullptr}}),                 // decimal.handling.mode = precise
        event(3, {{"id", 3}, {"price", nullptr}, {"seen", int64_t{1700000000123456}}}),  // a MicroTimestamp
        event(4, {{"id", 4}, {"price", "12a"}, {"seen", nullptr}}),                      // just a bad value
    };
    create_topic(job.topic, 1);
    produce(job.topic, records);
    sql("CREATE TABLE " + dgtest::quoted(job.table) + " (id int PRIMARY KEY, price numeric(10,2), seen timestamp)");
    const auto path = job.write();
    ASSERT_EQ(run("dgkafka", {"setup", path}).code, 0);
    const auto r = run("dgkafka", {"load", "-quit-at-eof", path});
    ASSERT_EQ(r.code, 0) << r.err;

    EXPECT_EQ(sql_value("SELECT string_agg(id || '|' || price || '|' || seen, ',') FROM " + dgtest::quoted(job.table)),
              "1|12.34|2023-11-14 22:13:20");
    const auto error = [&](int64_t offset) {
        return sql_value("SELECT error || ' [' || sqlstate || ']' FROM " + dgtest::quoted(job.table + "_rejects") +
                         " WHERE \"offset\" = " + std::to_string(offset));
    };
    const auto precise = error(1);
    EXPECT_EQ(precise.rfind("field \"after.price\" (numeric): \"C+o=\" is a decimal as Debezium's "
                            "decimal.handling.mode = precise sends it",
                            0),
              0u)
        << precise;
    EXPECT_NE(precise.find("set decimal.handling.mode = string (exact) or double"), std::string::npos) << precise;
    EXPECT_NE(precise.find("value.converter.schemas.enable = true"), std::string::npos) << precise;
    EXPECT_NE(precise.find("[22P02]"), std::string::npos) << "the database's SQLSTATE kept: " << precise;
    const auto micros = error(2);
    EXPECT_EQ(micros.rfind("field \"after.seen\" (timestamp without time zone): 1700000000123456 is a timestamp", 0),
              0u)
        << micros;
    EXPECT_NE(micros.find("TimestampConverter"), std::string::npos) << micros;
    EXPECT_EQ(error(3).find("Debezium"), std::string::npos) << "not one of Debezium's encodings: " << error(3);
    EXPECT_EQ(sql_count("SELECT count(*) FROM " + dgtest::quoted(job.table + "_rejects")), 3);
}
