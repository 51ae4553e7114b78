#include "formats/decoder.hpp"

#include <gtest/gtest.h>

using namespace dgkafka;

namespace {
Config csv_config() {
    Config c;
    c.format = Format::csv;
    c.delimiter = '|';
    c.columns = {{"id", "integer", false}, {"skip", "text", true}, {"note", "text", false}};
    return c;
}

Config json_config() {
    Config c;
    c.format = Format::json;
    c.columns = {{"jdata", "json", false}};
    return c;
}
}  // namespace

TEST(Decoder, CsvToCopyTextSkipsIgnoredColumnsAndEscapes) {
    const auto cfg = csv_config();
    const auto made_enc = formats::make_decoder(cfg, false);
    formats::Decoder& enc = *made_enc;
    std::string out, reason;
    Message m;
    m.value = "7|dropped|\"tab\there\\ and\nnewline\"";
    ASSERT_TRUE(enc.encode(m, out, reason) == Encoded::row) << reason;
    EXPECT_EQ(out, "7\ttab\\there\\\\ and\\nnewline\n");
}

TEST(Decoder, EmptyUnquotedFieldBecomesNull) {
    const auto cfg = csv_config();
    const auto made_enc = formats::make_decoder(cfg, false);
    formats::Decoder& enc = *made_enc;
    std::string out, reason;
    Message m;
    m.value = "|x|";
    ASSERT_TRUE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "\\N\t\\N\n");
}

TEST(Decoder, MetadataColumnsFollowTheData) {
    const auto cfg = csv_config();
    const auto made_enc = formats::make_decoder(cfg, true);
    formats::Decoder& enc = *made_enc;
    std::string out, reason;
    Message m;
    m.value = "1|x|y";
    m.key = "k1";
    m.has_key = true;
    m.partition = 3;
    m.offset = 42;
    m.timestamp_ms = 1558064702646;  // 2019-05-17 03:45:02.646 UTC
    ASSERT_TRUE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "1\ty\tk1\t3\t42\t2019-05-17 03:45:02.646+00\n");
    out.clear();
    m.has_key = false;
    m.timestamp_ms = -1;
    ASSERT_TRUE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "1\ty\t\\N\t3\t42\t\\N\n");
}

TEST(Decoder, MalformedMessagesAreRefusedWithAReasonAndLeaveNoPartialLine) {
    const auto cfg = csv_config();
    const auto made_enc = formats::make_decoder(cfg, false);
    formats::Decoder& enc = *made_enc;
    std::string out = "previous\n", reason;
    Message m;
    m.value = "1|2";
    EXPECT_FALSE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "2 fields, expected 3");
    const std::string with_nul("1|x|nul\0byte", 12);
    m.value = with_nul;
    EXPECT_FALSE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "NUL byte in field 3");
    EXPECT_EQ(out, "previous\n");
}

TEST(Decoder, JsonIsOneTextColumnBinaryIsHexBytea) {
    const Config json = json_config();
    const auto made_j = formats::make_decoder(json, false);
    formats::Decoder& j = *made_j;
    std::string out, reason;
    Message m;
    m.value = "{\"a\":\"x\\ty\"}";
    ASSERT_TRUE(j.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "{\"a\":\"x\\\\ty\"}\n");

    Config bin;
    bin.format = Format::binary;
    bin.columns = {{"bdata", "bytea", false}};
    const auto made_b = formats::make_decoder(bin, false);
    formats::Decoder& b = *made_b;
    out.clear();
    const std::string bytes("\x00\xff\x10", 3);
    m.value = bytes;
    ASSERT_TRUE(b.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "\\\\x00ff10\n");
    out.clear();
    m.value = std::string_view();  // a tombstone: no value at all
    ASSERT_TRUE(b.encode(m, out, reason) == Encoded::row);
    m.value = std::string_view(bytes.data(), 0);  // an empty value
    ASSERT_TRUE(b.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(out, "\\N\n\\\\x\n");
}

TEST(Decoder, InvalidJsonInvalidUtf8AndEmptyMessagesAreRefused) {
    const Config json = json_config();
    const auto made_j = formats::make_decoder(json, true);
    formats::Decoder& j = *made_j;
    std::string out, reason;
    Message m;
    m.value = "{\"a\": 1,}";
    EXPECT_FALSE(j.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "invalid JSON");
    m.value = "";
    EXPECT_FALSE(j.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "empty message: a JSON value is required");
    const std::string latin1 = "{\"name\": \"caf\xe9\"}";
    m.value = latin1;
    EXPECT_FALSE(j.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "invalid UTF-8 in the JSON text at byte 14");
    m.value = "{}";
    const std::string bad_key = "k\xff";
    m.key = bad_key;
    m.has_key = true;
    ASSERT_TRUE(j.encode(m, out, reason) == Encoded::row) << "nothing reads _key: " << reason;
    EXPECT_EQ(out, "{}\t\\N\t0\t0\t\\N\n") << "_key NULL";
    auto with_key = json;
    with_key.mappings = {{{"t"}, "upper(_key)"}};
    const auto made_k = formats::make_decoder(with_key, true);
    formats::Decoder& k = *made_k;
    out.clear();
    EXPECT_FALSE(k.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "invalid UTF-8 in the message key at byte 2");
    EXPECT_EQ(out, "");
}

TEST(Decoder, FieldsToColumnsRejectADocumentThatIsNotAnObject) {
    auto cfg = json_config();
    cfg.mappings = {{{"id"}, "(jdata->>'id')::bigint"}};
    cfg.field_columns = {"id"};
    const auto made_enc = formats::make_decoder(cfg, true);
    formats::Decoder& enc = *made_enc;
    std::string out, reason;
    Message m;
    for (const char* doc : {"[1,2,3]", "\"just a string\"", "null", " 5"}) {
        m.value = doc;
        EXPECT_FALSE(enc.encode(m, out, reason) == Encoded::row) << doc;
        EXPECT_EQ(reason, "not a JSON object: without mappings, fields go to the columns of their names") << doc;
    }
    m.value = "[1,";
    EXPECT_FALSE(enc.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "invalid JSON");
    EXPECT_EQ(out, "");
    m.value = " \n{\"id\": 1}";
    EXPECT_TRUE(enc.encode(m, out, reason) == Encoded::row) << reason;

    cfg.field_columns.clear();  // explicit mappings: ->> of an array is NULL, as in PostgreSQL
    const auto made_mapped = formats::make_decoder(cfg, true);
    formats::Decoder& mapped = *made_mapped;
    m.value = "[1,2,3]";
    EXPECT_TRUE(mapped.encode(m, out, reason) == Encoded::row) << reason;
}

TEST(Decoder, KeyBytesGiveEveryKeyAsByteaAndAKeyThatIsNotTextNoLongerRejects) {
    auto cfg = json_config();
    cfg.mappings = {{{"k"}, "_key_bytes"}};
    const auto made_enc = formats::make_decoder(cfg, true);
    formats::Decoder& enc = *made_enc;
    std::string out, reason;
    Message m;
    m.value = "{}";
    const std::string bad_key = "k\xff";
    m.key = bad_key;
    m.has_key = true;
    m.partition = 1;
    m.offset = 2;
    ASSERT_TRUE(enc.encode(m, out, reason) == Encoded::row) << reason;
    EXPECT_EQ(out, "{}\t\\N\t1\t2\t\\N\t\\\\x6bff\n") << "_key NULL, _key_bytes the raw key";

    cfg.mappings = {{{"k"}, "_key_bytes"}, {{"t"}, "_key"}};  // _key used too: the key must be text
    const auto made_both = formats::make_decoder(cfg, true);
    formats::Decoder& both = *made_both;
    out.clear();
    EXPECT_FALSE(both.encode(m, out, reason) == Encoded::row);
    EXPECT_EQ(reason, "invalid UTF-8 in the message key at byte 2");
}

// make_decoder picks one decoder per format (and the envelope layer over JSON documents); each
// writes its own fields, then the same metadata columns.
TEST(Decoder, EachFormatWritesItsFieldsThenTheSameMetadataColumns) {
    const auto tail = "\t{}\tk\t1\t2\t2019-05-17 03:45:02.646+00\t\\\\x6b\n";  // _headers .. _key_bytes
    Config avro;
    avro.format = Format::avro;
    avro.columns = {{"jdata", "json", false}};
    avro.avro.schema_file = "r.avsc";
    avro.avro.schema_text = R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "long"}]})";
    Config bin;
    bin.format = Format::binary;
    bin.columns = {{"bdata", "bytea", false}};
    auto events = json_config();
    events.mode = Config::Mode::merge;
    events.match_columns = {"a"};
    events.delete_on_tombstone = true;
    const struct {
        Config cfg;
        std::string value, fields;
    } cases[] = {
        {csv_config(), "1|x|y", "1\ty"},
        {json_config(), R"({"a": 1})", R"({"a": 1})"},
        {bin, "ab", "\\\\x6162"},
        {avro, std::string("\x02", 1), R"({"a":1})"},
        {events, R"({"a": 1})", std::string(R"({"a": 1})") + "\tu"},
    };
    for (auto c : cases) {
        c.cfg.mappings = {{{"h"}, "_headers"}, {{"kb"}, "_key_bytes"}};
        const auto decoder = formats::make_decoder(c.cfg, true);
        EXPECT_TRUE(decoder->reads_headers());
        EXPECT_FALSE(formats::make_decoder(c.cfg, false)->reads_headers()) << "no metadata, no _headers";
        std::string out, reason;
        Message m;
        m.value = c.value;
        m.key = "k";
        m.has_key = true;
        m.partition = 1;
        m.offset = 2;
        m.timestamp_ms = 1558064702646;
        ASSERT_TRUE(decoder->encode(m, out, reason) == Encoded::row) << c.fields << ": " << reason;
        EXPECT_EQ(out, c.fields + tail);
    }
}

// A schema the registry cannot give now is not the message's fault: nothing written, not rejected.
TEST(Decoder, AvroWithoutItsRegistryIsUnavailableNotRejected) {
    Config cfg;
    cfg.format = Format::avro;
    cfg.columns = {{"jdata", "json", false}};
    cfg.avro.registry_urls = {"http://127.0.0.1:1"};
    const auto decoder = formats::make_decoder(cfg, true);
    std::string out = "previous\n", reason;
    Message m;
    const std::string wire("\0\0\0\0\x07\x02", 6);  // magic byte, schema id 7, Avro binary
    m.value = wire;
    EXPECT_TRUE(decoder->encode(m, out, reason) == Encoded::unavailable);
    EXPECT_NE(reason.find("schema registry unavailable for schema id 7"), std::string::npos) << reason;
    EXPECT_EQ(out, "previous\n");
}
