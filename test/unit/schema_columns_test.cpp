// The columns create_table and evolve make from each schema language: the README's one table of
// type mappings, pinned per row.
#include "formats/schema_columns.hpp"

#include <gtest/gtest.h>

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
