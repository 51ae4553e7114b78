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
    EXPECT_EQ(decode(R"({"type": "bytes", "logicalType": "decimal", "precision": 5})", std::string("\x04\x00\x80", 3)),
              "128");
    EXPECT_EQ(
        decode(R"({"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", "precision": 4, "scale": 3})",
               std::string("\xff\x9c", 2)),
        "-0.100");
}

TEST(AvroJson, TimesAreIso8601AndUtc) {
    EXPECT_EQ(decode(R"({"type": "long", "logicalType": "timestamp-millis"})", "\x01"), "\"1969-12-31T23:59:59.999Z\"");
    // 1709251198123456 µs = 2024-02-29T23:59:58.123456Z, zig-zag varint encoded
    EXPECT_EQ(decode(R"({"type": "long", "logicalType": "timestamp-micros"})",
                     std::string("\x80\xf7\xf7\xe7\xc1\xa3\x89\x06", 8)),
              "\"2024-02-29T23:59:58.123456Z\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "date"})", std::string("\x00", 1)), "\"1970-01-01\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "date"})", "\x01"), "\"1969-12-31\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "time-millis"})", std::string("\xf0\xbb\xb7\x03", 4)),
              "\"01:00:00.120\"");
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

namespace {

// Avro's long: zigzag, then 7 bits a byte.
std::string varint(int64_t n) {
    uint64_t u = (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
    std::string out;
    for (; u > 0x7f; u >>= 7) out += static_cast<char>((u & 0x7f) | 0x80);
    return out + static_cast<char>(u);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const std::string corrupt = "error: not Avro of its schema (truncated or corrupt): ";
const std::string over = "error: over dgkafka's limits for one Avro message: ";
const std::string linked_list =
    R"({"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]})";

}  // namespace

TEST(AvroJson, HugeOrNegativeLengthsAndCountsAreRefusedBeforeAvroCReadsThem) {
    const int64_t huge = int64_t{1} << 62;
    EXPECT_EQ(decode(R"("string")", varint(huge)), corrupt + "string of 4611686018427387904 bytes where 0 are left");
    EXPECT_EQ(decode(R"("bytes")", varint(-1)), corrupt + "bytes of negative length -1");
    EXPECT_EQ(decode(R"({"type": "map", "values": "int"})", varint(1) + varint(huge) + "k"),
              corrupt + "map key of 4611686018427387904 bytes where 1 are left");
    // Items that take no bytes: avro-c would append 2^62 of them.
    EXPECT_TRUE(starts_with(decode(R"({"type": "array", "items": "null"})", varint(huge) + varint(0)),
                            over + "array block of 4611686018427387904 items"));
    EXPECT_TRUE(starts_with(decode(R"({"type": "array", "items": "null"})", varint(-huge) + varint(0) + varint(0)),
                            over + "array block of 4611686018427387904 items"));
    EXPECT_EQ(decode(R"({"type": "array", "items": "null"})", varint(INT64_MIN)),
              corrupt + "array block count -9223372036854775808");
    EXPECT_EQ(
        decode(R"({"type": "array", "items": "int"})", varint(-2) + varint(100) + varint(1) + varint(2) + varint(0)),
        corrupt + "array block of 100 bytes where 3 are left");
    // Nested arrays of nulls share one budget: 300 blocks of 300 items is more than 65536 + the bytes.
    std::string nested = varint(300);
    for (int i = 0; i < 300; ++i) nested += varint(300) + varint(0);
    EXPECT_TRUE(
        starts_with(decode(R"({"type": "array", "items": {"type": "array", "items": "null"}})", nested + varint(0)),
                    over + "array block of 300 items"));
    std::string nulls = "null";  // a few nulls in two bytes are fine
    for (int i = 1; i < 1000; ++i) nulls += ",null";
    EXPECT_EQ(decode(R"({"type": "array", "items": "null"})", varint(1000) + varint(0)), "[" + nulls + "]");
    EXPECT_EQ(decode(R"(["null", "int"])", varint(2)), corrupt + "union branch 2 of 2");
    EXPECT_EQ(decode(R"({"type": "enum", "name": "E", "symbols": ["A"]})", varint(-1)),
              corrupt + "enum symbol -1 of 1");
    EXPECT_EQ(decode(R"("long")", std::string(11, '\xff')),
              corrupt + "number: a number longer than 10 bytes at byte 10");
}

TEST(AvroJson, NestingIsBoundedAndAnEndlessRecursiveSchemaIsRefused) {
    std::string deep;
    for (int i = 1; i < 1000; ++i) deep += varint(1);  // 1000 records: 999 with a next one
    EXPECT_TRUE(starts_with(decode(linked_list, deep + varint(0)), R"({"next":{"next":)"));
    EXPECT_EQ(decode(linked_list, std::string(100000, '\x02') + varint(0)),
              over + "records, arrays and maps nested deeper than 1000 levels");
    EXPECT_EQ(
        decode(R"({"type": "record", "name": "A", "fields": [{"name": "a", "type": "A"}]})", ""),
        "schema error: record A always contains itself (no null, array or map to end on): no message can hold it");
    EXPECT_EQ(
        decode(R"({"type": "record", "name": "ns.B", "fields": [{"name": "x", "type": "int"},
                        {"name": "u", "type": [{"type": "record", "name": "C", "fields": [{"name": "b", "type": "B"}]}]}]})",
               ""),
        "schema error: record ns.B always contains itself (no null, array or map to end on): no message can hold it");
    // Recursion through an array ends on an empty one.
    EXPECT_EQ(
        decode(
            R"({"type": "record", "name": "T", "fields": [{"name": "kids", "type": {"type": "array", "items": "T"}}]})",
            varint(1) + varint(0) + varint(0)),
        R"({"kids":[{"kids":[]}]})");
}

// avro-c keeps its last error text and glues the next in front of it: after good messages (whose
// end check leaves "Cannot read 1 bytes from memory buffer" behind) a reason is avro-c's one error.
TEST(AvroJson, AvroCsErrorIsItsOwnTextNotGluedToEarlierOnes) {
    std::string error;
    auto s = Schema::parse(R"("int")", error);
    ASSERT_TRUE(s) << error;
    std::string out, reason;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->to_json("\x02", out, reason)) << reason;
    for (int i = 0; i < 2; ++i) {
        EXPECT_FALSE(s->to_json(std::string("\xff\xff\xff\xff\xff\x7f", 6), out, reason));
        EXPECT_EQ(reason,
                  "not Avro of its schema (truncated or corrupt): Cannot read int value: Varint out of range "
                  "for int type");
    }
}

namespace {
std::string zigzag(int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    std::string out;
    do {
        unsigned char b = z & 0x7f;
        z >>= 7;
        if (z) b |= 0x80;
        out += static_cast<char>(b);
    } while (z);
    return out;
}
std::string connect(const std::string& type, const std::string& name, const std::string& extra = "") {
    return R"({"type": ")" + type + R"(", "connect.version": 1, "connect.name": ")" + name + "\"" + extra + "}";
}
}  // namespace

// Debezium's Avro converter names its types in "connect.name" only (no logicalType).
TEST(AvroJson, DebeziumTypesNamedByConnectNameAreDecoded) {
    EXPECT_EQ(decode(connect("int", "io.debezium.time.Date"), zigzag(-25567)), "\"1900-01-01\"");
    EXPECT_EQ(decode(connect("int", "io.debezium.time.Time"), zigzag(45296123)), "\"12:34:56.123\"");
    EXPECT_EQ(decode(connect("long", "io.debezium.time.MicroTime"), zigzag(45296123456)), "\"12:34:56.123456\"");
    EXPECT_EQ(decode(connect("long", "io.debezium.time.NanoTime"), zigzag(45296123456789)), "\"12:34:56.123456789\"");
    EXPECT_EQ(decode(connect("long", "io.debezium.time.MicroTimestamp"), zigzag(-1)), "\"1969-12-31T23:59:59.999999\"");
    EXPECT_EQ(decode(connect("long", "io.debezium.time.NanoTimestamp"), zigzag(1700000000123456789)),
              "\"2023-11-14T22:13:20.123456789\"");
    EXPECT_EQ(decode(connect("long", "io.debezium.time.Timestamp"), zigzag(1700000000123)),
              "\"2023-11-14T22:13:20.123\"");
    EXPECT_EQ(decode(connect("string", "io.debezium.data.Json"), zigzag(7) + R"({"a":1})"), R"({"a":1})");
    EXPECT_EQ(decode(connect("string", "io.debezium.data.Json"), zigzag(3) + "{no")
                  .rfind("error: not Avro of its schema: "
                         "an io.debezium.data.Json string",
                         0),
              0u);
    EXPECT_EQ(decode(connect("bytes", "io.debezium.data.Bits", R"(, "connect.parameters": {"length": "10"})"),
                     zigzag(2) + std::string("\x05\x01", 2)),
              "\"0100000101\"");
    const std::string vsd = R"({"type": "record", "name": "VariableScaleDecimal", "namespace": "io.debezium.data",
        "fields": [{"name": "scale", "type": "int"}, {"name": "value", "type": "bytes"}],
        "connect.name": "io.debezium.data.VariableScaleDecimal"})";
    EXPECT_EQ(decode(vsd, zigzag(2) + zigzag(3) + std::string("\x12\xd6\x87", 3)), "12345.67");
    EXPECT_EQ(decode(vsd, zigzag(0) + zigzag(3) + std::string("\xed\x29\x79", 3)), "-1234567");
    EXPECT_EQ(decode(vsd, zigzag(100000) + zigzag(1) + std::string("\x01", 1))
                  .rfind("error: not Avro of its schema: a decimal", 0),
              0u);
    // a known name on another type: read as the type it is
    EXPECT_EQ(decode(connect("string", "io.debezium.time.Date"), zigzag(1) + "x"), "\"x\"");
    EXPECT_EQ(decode(R"({"type": "int", "logicalType": "date"})", zigzag(-800000000)),
              "error: not Avro of its schema: date out of range");
}
