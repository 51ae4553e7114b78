// Avro binary → JSON: logical types in the text PostgreSQL reads, and bytes that are not one datum
// of the schema refused. The binary is written out by hand from the Avro specification.
#include "avro/avro_json.hpp"

#include <gtest/gtest.h>


using dgkafka::avro::Schema;

namespace {

// The JSON of `body` decoded with `schema`, or "error: reason".
std::string decode(const std::string& schema, const std::string& body) {
    std::string error;
    auto s = Schema::parse(schema, error);
    if (!s) return "schema error: " + error;
    std::string out, reason;
    if (!s->to_json(body, out, reason)) return "error: " + reason;
    return out;
}

const std::string decimal2 = R"({"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2})";

}  // namespace

TEST(AvroJson, DecimalsAreExactWithTheirScale) {
    EXPECT_EQ(decode(decimal2, std::string("\x02\xfb", 2)), "-0.05");
    EXPECT_EQ(decode(decimal2, std::string("\x06\x12\xd6\x87", 4)), "12345.67");
    EXPECT_EQ(decode(decimal2, std::string("\x00", 1)), "0.00");  // no bytes at all
    EXPECT_EQ(decode(R"({"type": "bytes", "logicalType": "decimal", "precision": 5})", std::string("\x04\x00\x80", 3)), "128");
    EXPECT_EQ(decode(R"({"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", "precision": 4, "scale": 3})",
                     std::string("\xff\x9c", 2)),
              "-0.100");
}

TEST(AvroJson, TimesAreIso8601AndUtc) {
    EXPECT_EQ(decode(R"({"type": "long", "logicalType": "timestamp-millis"})", "\x01"), "\"1969-12-31T23:59:59.999Z\"");
    // 1709251198123456 µs = 2024-02-29T23:59:58.123456Z, zig-zag varint encoded
    EXPECT_EQ(decode(R"({"type": "long", "logicalType": "timestamp-micros"})", std::string("\x80\xf7\xf7\xe7\xc1\xa3\x89\x06", 8)),
              "\"2024-02-29T23:59:58.123456Z\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "date"})", std::string("\x00", 1)), "\"1970-01-01\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "date"})", "\x01"), "\"1969-12-31\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "time-millis"})", std::string("\xf0\xbb\xb7\x03", 4)), "\"01:00:00.120\"");
}

TEST(AvroJson, UnionsEnumsBytesAndStrings) {
    EXPECT_EQ(decode(R"(["null", "string"])", std::string("\x00", 1)), "null");
    EXPECT_EQ(decode(R"(["null", "string"])", "\x02\x04hi"), "\"hi\"");
    EXPECT_EQ(decode(R"({"type": "enum", "name": "E", "symbols": ["A", "B"]})", "\x02"), "\"B\"");
    EXPECT_EQ(decode(R"("bytes")", std::string("\x04\x00\xff", 3)), R"("\\x00ff")");
    EXPECT_EQ(decode(R"("string")", "\x0a\"\\\n\x01z"), R"("\"\\\u000a\u0001z")");
    EXPECT_EQ(decode(R"("double")", std::string("\x00\x00\x00\x00\x00\x00\xf8\x7f", 8)), "\"NaN\"");
    EXPECT_EQ(decode(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]})", "\x02")
                  .rfind("schema error: not an Avro schema", 0),
              0u);
}

TEST(AvroJson, BytesThatAreNotOneDatumAreRefused) {
    EXPECT_EQ(decode(R"("string")", "\x0ahi").rfind("error: not Avro of its schema (truncated or corrupt)", 0), 0u);
    EXPECT_EQ(decode(R"("int")", "\x02\x02"), "error: not Avro of its schema: bytes left after the record");
    EXPECT_EQ(decode(R"("string")", "\x04\xff\xfe"), "error: not Avro of its schema: a string that is not UTF-8");
}
