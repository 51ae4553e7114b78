// The columns create_table and evolve make from each schema language: the README's one table of
// type mappings, pinned per row.
#include "formats/schema_columns.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "formats/protobuf_columns.hpp"

using dgkafka::formats::SchemaColumn;

namespace {
std::vector<SchemaColumn> avro(const std::string& schema) {
    std::vector<SchemaColumn> out;
    std::string reason;
    EXPECT_TRUE(dgkafka::formats::avro_columns(schema, out, reason)) << reason;
    return out;
}
}  // namespace

TEST(SchemaColumns, AvroFieldsGetTheTypesTheirValuesLoadInto) {
    const auto cols = avro(R"({"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "long"}, {"name": "n", "type": "int"}, {"name": "ok", "type": "boolean"},
        {"name": "f", "type": "float"}, {"name": "d", "type": "double"}, {"name": "s", "type": "string"},
        {"name": "b", "type": "bytes"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "local", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "status", "type": {"type": "enum", "name": "S", "symbols": ["A"]}},
        {"name": "note", "type": ["null", "string"]},
        {"name": "either", "type": ["null", "string", "long"]},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "ship", "type": {"type": "record", "name": "Ship", "fields": []}}]})");
    const std::vector<SchemaColumn> want = {{"id", "bigint"},
                                            {"n", "integer"},
                                            {"ok", "boolean"},
                                            {"f", "real"},
                                            {"d", "double precision"},
                                            {"s", "text"},
                                            {"b", "bytea"},
                                            {"amount", "numeric(10,2)"},
                                            {"day", "date"},
                                            {"at", "timestamptz"},
                                            {"local", "timestamp"},
                                            {"t", "time"},
                                            {"u", "uuid"},
                                            {"status", "text"},
                                            {"note", "text"},
                                            {"either", "jsonb"},
                                            {"tags", "jsonb"},
                                            {"ship", "jsonb"}};
    EXPECT_EQ(cols, want);
}

TEST(SchemaColumns, DebeziumAvroConnectNamesGiveTheSourceColumnTypes) {
    const auto cols = avro(R"({"type": "record", "name": "Value", "fields": [
        {"name": "price", "type": {"type": "bytes", "connect.name": "org.apache.kafka.connect.data.Decimal",
                                   "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"}}},
        {"name": "seen", "type": {"type": "long", "connect.name": "io.debezium.time.MicroTimestamp"}},
        {"name": "at", "type": ["null", {"type": "string", "connect.name": "io.debezium.time.ZonedTimestamp"}]}]})");
    const std::vector<SchemaColumn> want = {{"price", "numeric(10,2)"}, {"seen", "timestamp"}, {"at", "timestamptz"}};
    EXPECT_EQ(cols, want);
}

TEST(SchemaColumns, AnAvroSchemaThatIsNotARecordNamesNoColumns) {
    std::vector<SchemaColumn> out;
    std::string reason;
    EXPECT_FALSE(dgkafka::formats::avro_columns(R"("string")", out, reason));
    EXPECT_EQ(reason, "the Avro schema is not a record: its fields name no columns");
    EXPECT_FALSE(dgkafka::formats::avro_columns("{not json", out, reason));
    EXPECT_EQ(reason, "the schema is not JSON");
}

TEST(SchemaColumns, JsonSchemaPropertiesInTheirOrderWithFormats) {
    std::vector<SchemaColumn> out;
    std::string reason;
    ASSERT_TRUE(dgkafka::formats::json_schema_columns(R"({"type": "object", "properties": {
        "zid": {"type": "integer"}, "price": {"type": "number"}, "name": {"type": ["null", "string"]},
        "at": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
        "u": {"type": "string", "format": "uuid"}, "ok": {"type": "boolean"}, "tags": {"type": "array"},
        "ref": {"$ref": "#/definitions/x"}}})",
                                                      out, reason))
        << reason;
    const std::vector<SchemaColumn> want = {{"zid", "bigint"}, {"price", "double precision"},
                                            {"name", "text"},  {"at", "timestamptz"},
                                            {"day", "date"},   {"u", "uuid"},
                                            {"ok", "boolean"}, {"tags", "jsonb"},
                                            {"ref", "jsonb"}};
    EXPECT_EQ(out, want);
}

TEST(SchemaColumns, DebeziumSchemaBlockTakesTheAfterRow) {
    const auto schema = nlohmann::json::parse(R"({"type": "struct", "name": "db.inv.t.Envelope", "fields": [
        {"field": "before", "type": "struct", "optional": true, "fields": []},
        {"field": "after", "type": "struct", "optional": true, "fields": [
            {"field": "id", "type": "int32"}, {"field": "small", "type": "int16"},
            {"field": "price", "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal",
             "parameters": {"scale": "2", "connect.decimal.precision": "10"}},
            {"field": "vprice", "type": "struct", "name": "io.debezium.data.VariableScaleDecimal"},
            {"field": "day", "type": "int32", "name": "io.debezium.time.Date"},
            {"field": "t", "type": "int64", "name": "io.debezium.time.MicroTime"},
            {"field": "ts", "type": "int64", "name": "io.debezium.time.MicroTimestamp"},
            {"field": "tz", "type": "string", "name": "io.debezium.time.ZonedTimestamp"},
            {"field": "doc", "type": "string", "name": "io.debezium.data.Json"},
            {"field": "u", "type": "string", "name": "io.debezium.data.Uuid"},
            {"field": "bits", "type": "bytes", "name": "io.debezium.data.Bits"},
            {"field": "big", "type": "int64"}, {"field": "r", "type": "float32"}, {"field": "d", "type": "float64"},
            {"field": "b", "type": "bytes"}, {"field": "ok", "type": "boolean"}, {"field": "s", "type": "string"},
            {"field": "arr", "type": "array", "items": {"type": "string"}}]},
        {"field": "op", "type": "string"}]})");
    std::vector<SchemaColumn> out;
    std::string reason;
    ASSERT_TRUE(dgkafka::formats::connect_columns(schema, out, reason)) << reason;
    const std::vector<SchemaColumn> want = {{"id", "integer"},
                                            {"small", "smallint"},
                                            {"price", "numeric(10,2)"},
                                            {"vprice", "numeric"},
                                            {"day", "date"},
                                            {"t", "time"},
                                            {"ts", "timestamp"},
                                            {"tz", "timestamptz"},
                                            {"doc", "jsonb"},
                                            {"u", "uuid"},
                                            {"bits", "varbit"},
                                            {"big", "bigint"},
                                            {"r", "real"},
                                            {"d", "double precision"},
                                            {"b", "bytea"},
                                            {"ok", "boolean"},
                                            {"s", "text"},
                                            {"arr", "jsonb"}};
    EXPECT_EQ(out, want);
}

TEST(SchemaColumns, ProtobufFieldsGetTheTypesTheDecoderWritesThemAs) {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("dgkafka_protobuf_columns_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "m.proto") << R"(syntax = "proto3";
package t;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
message M {
  enum E { A = 0; }
  message N { int32 x = 1; }
  int32 i32 = 1; sint32 s32 = 2; sfixed32 sf32 = 3; uint32 u32 = 4; fixed32 f32 = 5;
  int64 i64 = 6; uint64 u64 = 7; fixed64 f64 = 8;
  double d = 9; float f = 10; bool b = 11; string s = 12; bytes by = 13; E e = 14;
  optional string maybe = 15;
  N nested = 16; repeated int32 many = 17; map<string, N> named = 18; repeated N nodes = 19;
  google.protobuf.Timestamp at = 20; google.protobuf.Duration took = 21;
  google.protobuf.Int64Value w64 = 22; google.protobuf.UInt64Value wu64 = 23; google.protobuf.BoolValue wb = 24;
  google.protobuf.Struct st = 25; google.protobuf.Value v = 26;
  oneof pay { string card = 27; int64 account = 28; }
}
)";
    dgkafka::Config cfg;
    cfg.format = dgkafka::Format::protobuf;
    cfg.protobuf.file = (dir / "m.proto").string();
    cfg.protobuf.message = "t.M";
    std::vector<SchemaColumn> cols;
    std::string reason;
    ASSERT_TRUE(dgkafka::formats::protobuf_columns(cfg, 0, cols, reason)) << reason;
    fs::remove_all(dir);
    const std::vector<SchemaColumn> want = {{"i32", "integer"},   {"s32", "integer"},    {"sf32", "integer"},
                                            {"u32", "bigint"},    {"f32", "bigint"},     {"i64", "bigint"},
                                            {"u64", "numeric"},   {"f64", "numeric"},    {"d", "double precision"},
                                            {"f", "real"},        {"b", "boolean"},      {"s", "text"},
                                            {"by", "text"},       {"e", "text"},         {"maybe", "text"},
                                            {"nested", "jsonb"},  {"many", "jsonb"},     {"named", "jsonb"},
                                            {"nodes", "jsonb"},   {"at", "timestamptz"}, {"took", "interval"},
                                            {"w64", "bigint"},    {"wu64", "numeric"},   {"wb", "boolean"},
                                            {"st", "jsonb"},      {"v", "jsonb"},        {"card", "text"},
                                            {"account", "bigint"}};
    EXPECT_EQ(cols, want);
}
