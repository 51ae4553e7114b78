// Kafka Connect's and Debezium's logical types, decoded by the JSON converter's schema (and the
// shared text of dates, times and decimals), to the exact text PostgreSQL reads.
#include "formats/connect_schema.hpp"

#include <gtest/gtest.h>

#include "avro/logical_text.hpp"
#include "formats/change_event.hpp"

using dgkafka::connect::Plan;
using nlohmann::json;

namespace {

json field(const std::string& name, const std::string& type, const std::string& logical = "",
           const json& parameters = nullptr) {
    json f = {{"field", name}, {"type", type}, {"optional", true}};
    if (!logical.empty()) f["name"] = logical;
    if (!parameters.is_null()) f["parameters"] = parameters;
    return f;
}

json row_schema(const json& fields) { return {{"type", "struct"}, {"fields", fields}, {"optional", true}}; }

// The value of `name` after the plan of a one-field schema ran on it; or "reject: <reason>".
std::string decoded(const json& schema_field, const json& value) {
    Plan plan;
    std::string reason;
    if (!Plan::make(row_schema(json::array({schema_field})), plan, reason)) return "schema: " + reason;
    json row = {{schema_field.at("field").get<std::string>(), value}};
    if (!plan.apply(row, reason)) return "reject: " + reason;
    const json& v = row.begin().value();
    return v.is_string() ? v.get<std::string>() : v.dump();
}

json decimal(int scale) {
    return field("price", "bytes", "org.apache.kafka.connect.data.Decimal", {{"scale", std::to_string(scale)}});
}

}  // namespace

TEST(ConnectDecimal, Base64UnscaledBytesAreTheExactNumber) {
    EXPECT_EQ(decoded(decimal(2), "EtaH"), "12345.67");   // 1234567 = 0x12d687
    EXPECT_EQ(decoded(decimal(2), "7Sl5"), "-12345.67");  // -1234567, two's complement
    EXPECT_EQ(decoded(decimal(2), "C+o="), "30.50");      // the value of the issue's error message
    EXPECT_EQ(decoded(decimal(2), "AA=="), "0.00");
    EXPECT_EQ(decoded(decimal(2), "/w=="), "-0.01");
    EXPECT_EQ(decoded(decimal(0), "+w=="), "-5");
    EXPECT_EQ(decoded(decimal(-3), "+w=="), "-5000");
    EXPECT_EQ(decoded(decimal(10), "J+QbMka+ybFuOYEV"), "1234567890123456789.0123456789");  // beyond a double
    EXPECT_EQ(decoded(decimal(2), "C+o"), "30.50");                                         // padding is optional
    EXPECT_EQ(decoded(decimal(2), nullptr), "null");
    EXPECT_EQ(decoded(decimal(2), 12.5), "12.5");  // the converter's decimal.format = NUMERIC
}

TEST(ConnectDecimal, VariableScaleDecimalCarriesItsScale) {
    const json f = field("amount", "struct", "io.debezium.data.VariableScaleDecimal");
    EXPECT_EQ(decoded(f, {{"scale", 2}, {"value", "EtaH"}}), "12345.67");
    EXPECT_EQ(decoded(f, {{"scale", 0}, {"value", "7Sl5"}}), "-1234567");
    EXPECT_EQ(decoded(f, {{"scale", "x"}, {"value", "EtaH"}}).rfind("reject: field \"amount\"", 0), 0u);
    EXPECT_NE(decoded(f, {{"scale", 2}, {"value", "Et!H"}}).find("not base64"), std::string::npos);
    EXPECT_NE(decoded(f, {{"value", "EtaH"}}).find("reject"), std::string::npos);
}

TEST(ConnectDecimal, BadInputIsARejectNamingTheField) {
    EXPECT_EQ(decoded(decimal(2), "EtaHx"),
              "reject: field \"price\" (org.apache.kafka.connect.data.Decimal, scale 2): "
              "\"EtaHx\" is not base64");
    EXPECT_NE(decoded(decimal(2), "E$aH").find("is not base64"), std::string::npos);
    EXPECT_EQ(decoded(decimal(2), 7), "7");  // NUMERIC's number
    EXPECT_NE(decoded(decimal(2), json::array()).find("is not base64 text"), std::string::npos);
    const std::string huge(8000, 'A');  // 6000 bytes: over the bound
    EXPECT_NE(decoded(decimal(2), huge).find("longer than dgkafka takes"), std::string::npos);
    EXPECT_EQ(decoded(field("p", "bytes", "org.apache.kafka.connect.data.Decimal", {{"scale", "two"}}), "EtaH"),
              "schema: schema: field \"p\" (org.apache.kafka.connect.data.Decimal): its \"parameters\" give no scale "
              "that is a number within ±16383");
    EXPECT_NE(decoded(field("p", "bytes", "org.apache.kafka.connect.data.Decimal"), "EtaH").find("no scale"),
              std::string::npos);
    EXPECT_NE(decoded(decimal(99999), "EtaH").find("no scale"), std::string::npos);
}

TEST(ConnectDecimal, IntegersOfFivePossibleSignsAndLengths) {
    std::string out;
    const unsigned char big[] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // 2^64 - 1
    ASSERT_TRUE(dgkafka::avro::append_decimal(out, big, sizeof big, 0));
    EXPECT_EQ(out, "18446744073709551615");
    out.clear();
    const unsigned char min64[] = {0x80, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_TRUE(dgkafka::avro::append_decimal(out, min64, sizeof min64, 4));
    EXPECT_EQ(out, "-922337203685477.5808");
    out.clear();
    ASSERT_TRUE(dgkafka::avro::append_decimal(out, nullptr, 0, 2));  // no bytes: zero
    EXPECT_EQ(out, "0.00");
}

TEST(ConnectTime, DatesAreDaysSinceTheEpochBeforeAndAfter1970) {
    const json d = field("d", "int32", "io.debezium.time.Date");
    EXPECT_EQ(decoded(d, 0), "1970-01-01");
    EXPECT_EQ(decoded(d, 19782), "2024-02-29");
    EXPECT_EQ(decoded(d, -1), "1969-12-31");
    EXPECT_EQ(decoded(d, -25567), "1900-01-01");
    EXPECT_EQ(decoded(d, -719162), "0001-01-01");
    EXPECT_EQ(decoded(d, -719163), "0001-12-31 BC");
    EXPECT_EQ(decoded(field("d", "int32", "org.apache.kafka.connect.data.Date"), -1), "1969-12-31");
    EXPECT_NE(decoded(d, int64_t{1} << 40).find("out of range"), std::string::npos);
    EXPECT_NE(decoded(d, "2024-02-29").find("is not an integer"), std::string::npos);
}

TEST(ConnectTime, TimesOfDayInMillisMicrosAndNanos) {
    EXPECT_EQ(decoded(field("t", "int32", "io.debezium.time.Time"), 45296123), "12:34:56.123");
    EXPECT_EQ(decoded(field("t", "int32", "org.apache.kafka.connect.data.Time"), 45296123), "12:34:56.123");
    EXPECT_EQ(decoded(field("t", "int64", "io.debezium.time.MicroTime"), int64_t{45296123456}), "12:34:56.123456");
    EXPECT_EQ(decoded(field("t", "int64", "io.debezium.time.NanoTime"), int64_t{45296123456789}), "12:34:56.123456789");
    EXPECT_EQ(decoded(field("t", "int64", "io.debezium.time.MicroTime"), 0), "00:00:00.000000");
    EXPECT_EQ(decoded(field("t", "int64", "io.debezium.time.MicroTime"), int64_t{86400000000}), "24:00:00.000000");
    EXPECT_NE(decoded(field("t", "int64", "io.debezium.time.MicroTime"), -1).find("out of range"), std::string::npos);
    EXPECT_NE(decoded(field("t", "int64", "io.debezium.time.MicroTime"), int64_t{86400000001}).find("out of range"),
              std::string::npos);
}

TEST(ConnectTime, TimestampsWithoutAZoneBeforeAndAfter1970) {
    EXPECT_EQ(decoded(field("ts", "int64", "io.debezium.time.MicroTimestamp"), int64_t{1700000000123456}),
              "2023-11-14 22:13:20.123456");
    EXPECT_EQ(decoded(field("ts", "int64", "io.debezium.time.Timestamp"), int64_t{1700000000123}),
              "2023-11-14 22:13:20.123");
    EXPECT_EQ(decoded(field("ts", "int64", "org.apache.kafka.connect.data.Timestamp"), int64_t{1700000000123}),
              "2023-11-14 22:13:20.123");
    EXPECT_EQ(decoded(field("ts", "int64", "io.debezium.time.NanoTimestamp"), int64_t{1700000000123456789}),
              "2023-11-14 22:13:20.123456789");
    EXPECT_EQ(decoded(field("ts", "int64", "io.debezium.time.MicroTimestamp"), -1), "1969-12-31 23:59:59.999999");
    EXPECT_EQ(decoded(field("ts", "int64", "io.debezium.time.Timestamp"), int64_t{-2208988800000}),
              "1900-01-01 00:00:00.000");
    EXPECT_NE(decoded(field("ts", "int64", "io.debezium.time.Timestamp"), INT64_MIN).find("out of range"),
              std::string::npos);
    EXPECT_NE(decoded(field("ts", "int64", "io.debezium.time.Timestamp"), UINT64_MAX).find("out of range"),
              std::string::npos);
}

TEST(ConnectText, ZonedUuidXmlEnumPassThroughJsonBecomesItsValue) {
    EXPECT_EQ(decoded(field("z", "string", "io.debezium.time.ZonedTimestamp"), "2023-11-14T22:13:20.123456Z"),
              "2023-11-14T22:13:20.123456Z");
    EXPECT_EQ(decoded(field("z", "string", "io.debezium.time.ZonedTime"), "22:13:20Z"), "22:13:20Z");
    EXPECT_EQ(decoded(field("u", "string", "io.debezium.data.Uuid"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
              "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    EXPECT_EQ(decoded(field("x", "string", "io.debezium.data.Xml"), "<a/>"), "<a/>");
    EXPECT_EQ(decoded(field("e", "string", "io.debezium.data.Enum", {{"allowed", "a,b"}}), "b"), "b");
    EXPECT_EQ(decoded(field("e", "string", "io.debezium.data.EnumSet", {{"allowed", "a,b"}}), "a,b"), "a,b");
    EXPECT_EQ(decoded(field("j", "string", "io.debezium.data.Json"), R"({"a": [1, "x"]})"), R"({"a":[1,"x"]})");
    EXPECT_EQ(decoded(field("j", "string", "io.debezium.data.Json"), R"("s")"), "s");
    EXPECT_NE(decoded(field("j", "string", "io.debezium.data.Json"), "{nope").find("is not JSON"), std::string::npos);
}

TEST(ConnectBytes, BitsAreABitStringAndBytesAreByteaHex) {
    const json bits = field("b", "bytes", "io.debezium.data.Bits", {{"length", "10"}});
    EXPECT_EQ(decoded(bits, "BQE="), "0100000101");  // little-endian: bit 0 is the last digit
    EXPECT_EQ(decoded(field("b", "bytes", "io.debezium.data.Bits"), "BQ=="), "00000101");
    EXPECT_EQ(decoded(field("raw", "bytes"), "3q2+7w=="), "\\xdeadbeef");
    EXPECT_NE(decoded(field("b", "bytes", "io.debezium.data.Bits", {{"length", "ten"}}), "BQ==").find("schema:"),
              std::string::npos);
}

TEST(ConnectArrays, ItemsAndNestedStructsAreDecodedToo) {
    const json days = {{"field", "days"},
                       {"type", "array"},
                       {"optional", true},
                       {"items", {{"type", "int32"}, {"name", "io.debezium.time.Date"}}}};
    EXPECT_EQ(decoded(days, json::array({0, -1, nullptr})), R"(["1970-01-01","1969-12-31",null])");
    EXPECT_NE(decoded(days, "x").find("is not an array"), std::string::npos);
    const json nested = {{"field", "n"}, {"type", "struct"}, {"optional", true}, {"fields", json::array({decimal(1)})}};
    EXPECT_EQ(decoded(nested, {{"price", "AA8="}, {"other", 1}}), R"({"other":1,"price":"1.5"})");
    const json hostile = [] {
        json s = {{"type", "int32"}};
        for (int i = 0; i < 200; ++i) s = {{"type", "array"}, {"items", s}};
        s["field"] = "deep";
        return s;
    }();
    EXPECT_NE(decoded(hostile, json::array()).find("nested deeper than"), std::string::npos);
}

TEST(ConnectBase64, RefusesWhatIsNotBase64) {
    std::string bytes;
    EXPECT_TRUE(dgkafka::connect::base64_decode("", bytes));
    EXPECT_TRUE(dgkafka::connect::base64_decode("3q2+7w==", bytes));
    EXPECT_EQ(bytes, "\xde\xad\xbe\xef");
    EXPECT_FALSE(dgkafka::connect::base64_decode("A", bytes));
    EXPECT_FALSE(dgkafka::connect::base64_decode("AAA=A", bytes));
    EXPECT_FALSE(dgkafka::connect::base64_decode("AA AA", bytes));
    EXPECT_FALSE(dgkafka::connect::base64_decode("=", bytes));
}

// A change event as Debezium's JSON converter writes it: the "after" row decoded, and a delete by
// a key whose own schema carries a Decimal.
TEST(DebeziumEvent, SchemaDecodesTheRowAndTheKey) {
    const json row = json::array({field("id", "bytes", "org.apache.kafka.connect.data.Decimal", {{"scale", "0"}}),
                                  decimal(2), field("d", "int32", "io.debezium.time.Date")});
    const json schema = {
        {"type", "struct"},
        {"fields", json::array({{{"type", "struct"}, {"fields", row}, {"optional", true}, {"field", "before"}},
                                {{"type", "struct"}, {"fields", row}, {"optional", true}, {"field", "after"}},
                                {{"type", "string"}, {"field", "op"}}})}};
    const json value = {
        {"schema", schema},
        {"payload", {{"before", nullptr}, {"after", {{"id", "Bw=="}, {"price", "EtaH"}, {"d", -1}}}, {"op", "c"}}}};
    dgkafka::change::DebeziumReader reader;
    dgkafka::change::Event e;
    std::string reason;
    ASSERT_TRUE(reader.read(value.dump(), "", e, reason)) << reason;
    EXPECT_EQ(e.op, dgkafka::change::Op::upsert);
    EXPECT_EQ(e.image, R"({"d":"1969-12-31","id":"7","price":"12345.67"})");

    const json key = {{"schema", {{"type", "struct"}, {"fields", json::array({row[0]})}}},
                      {"payload", {{"id", "Bw=="}}}};
    const json del = {{"schema", schema}, {"payload", {{"before", nullptr}, {"after", nullptr}, {"op", "d"}}}};
    ASSERT_TRUE(reader.read(del.dump(), key.dump(), e, reason)) << reason;
    EXPECT_EQ(e.op, dgkafka::change::Op::remove);
    EXPECT_EQ(e.image, R"({"id":"7"})");

    json bad = value;
    bad["payload"]["after"]["price"] = "Et$";
    EXPECT_FALSE(reader.read(bad.dump(), "", e, reason));
    EXPECT_EQ(reason, "field \"after.price\" (org.apache.kafka.connect.data.Decimal, scale 2): \"Et$\" is not base64");
}
