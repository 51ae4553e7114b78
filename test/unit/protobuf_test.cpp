// format = "protobuf": Confluent's wire prefix and message-index list, and each Protobuf type's
// JSON exactly, checked against libprotobuf's own canonical printer too.
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "avro/wire_format.hpp"
#include "formats/decoder.hpp"
#include "formats/protobuf_reader.hpp"

using namespace dgkafka;
namespace gp = google::protobuf;
namespace fs = std::filesystem;

namespace {

const char* const shop_proto = R"(syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/empty.proto";
import "address.proto";

message Order {
  enum Status { NEW = 0; PAID = 1; }
  int64 id = 1;
  string name = 2;
  optional string note = 3;
  optional int32 qty = 4;
  int32 plain = 5;
  Status status = 6;
  repeated string tags = 7;
  map<string, int32> attrs = 8;
  Address ship = 9;
  google.protobuf.Timestamp placed_at = 10;
  google.protobuf.Duration wait = 11;
  google.protobuf.Int64Value w64 = 12;
  google.protobuf.StringValue wtext = 13;
  google.protobuf.Struct extra = 14;
  google.protobuf.Value any_value = 15;
  bytes data = 16;
  oneof choice { string a = 17; int32 b = 18; }
  double score = 19;
  float ratio = 20;
  bool ok = 21;
  uint64 big = 22;
  sint32 delta = 23;
  map<int64, Address> by_id = 24;
  repeated Status history = 25;
  google.protobuf.BoolValue flag = 26;
  google.protobuf.Empty nothing = 27;
  message Line { string sku = 1; }
  repeated Line lines = 28;
}
message Other { string x = 1; }
)";
const char* const address_proto = R"(syntax = "proto3";
package shop;
message Address { string city = 1; }
)";

// The test's .proto files in a folder of their own.
std::string proto_dir() {
    static const std::string dir = [] {
        const auto d = fs::temp_directory_path() / ("dgkafka_protobuf_test_" + std::to_string(getpid()));
        fs::create_directories(d);
        std::ofstream(d / "shop.proto") << shop_proto;
        std::ofstream(d / "address.proto") << address_proto;
        return d.string();
    }();
    return dir;
}

// The messages of the test's .proto, built from JSON by libprotobuf: the independent encoder.
struct Encoder {
    Encoder() : importer(&tree, nullptr) {
        tree.MapPath("", proto_dir());
        tree.MapPath("", "/usr/include");  // the well-known types, from libprotobuf-dev
    }
    std::string bytes(const std::string& type, const std::string& json) {
        std::unique_ptr<gp::Message> m(factory.GetPrototype(descriptor(type))->New());
        const auto status = gp::util::JsonStringToMessage(json, m.get());
        if (!status.ok()) throw std::runtime_error(status.ToString());
        return m->SerializeAsString();
    }
    // libprotobuf's own JSON of these bytes, with the options the issue names.
    std::string library_json(const std::string& type, const std::string& bytes) {
        std::unique_ptr<gp::Message> m(factory.GetPrototype(descriptor(type))->New());
        m->ParseFromString(bytes);
        gp::util::JsonPrintOptions o;
        o.always_print_primitive_fields = true;
        o.preserve_proto_field_names = true;
        std::string out;
        (void)gp::util::MessageToJsonString(*m, &out, o);
        return out;
    }
    const gp::Descriptor* descriptor(const std::string& type) {
        importer.Import("shop.proto");
        return importer.pool()->FindMessageTypeByName(type);
    }
    gp::compiler::DiskSourceTree tree;
    gp::compiler::Importer importer;
    gp::DynamicMessageFactory factory;
};

Config file_config(const std::string& message = "shop.Order") {
    Config c;
    c.format = Format::protobuf;
    c.columns = {{"jdata", "json", false}};
    c.protobuf.file = proto_dir() + "/shop.proto";
    c.protobuf.message = message;
    return c;
}

std::string decode(formats::protobuf::Reader& reader, const std::string& bytes) {
    std::string out, reason;
    EXPECT_TRUE(reader.to_json(bytes, out, reason)) << reason;
    return out;
}

}  // namespace

TEST(ProtobufWire, TheHeaderGivesTheSchemaIdBigEndian) {
    std::string_view m("\0\0\0\x01\x02rest", 9);
    int32_t id = 0;
    std::string reason;
    ASSERT_TRUE(avro::read_wire_header(m, id, reason, "x"));
    EXPECT_EQ(id, 258);
    EXPECT_EQ(m, "rest");
    std::string_view short_one("\0\0\0", 3), wrong("\x01\0\0\0\x01\x02", 6);
    EXPECT_FALSE(avro::read_wire_header(short_one, id, reason, "Protobuf"));
    EXPECT_EQ(reason, "3 bytes: too short for Confluent's wire format (magic byte 0, schema id, Protobuf)");
    EXPECT_FALSE(avro::read_wire_header(wrong, id, reason, "Protobuf"));
    EXPECT_EQ(reason, "magic byte 1 is not 0: not Confluent's wire format");
}

TEST(ProtobufWire, MessageIndexesAreZigzagVarintsAndTheSingleZeroMeansTheFirstMessage) {
    std::vector<int> indexes;
    std::string reason;
    const auto read = [&](std::string bytes) {
        std::string_view body(bytes);
        const bool ok = formats::protobuf::read_message_indexes(body, indexes, reason);
        return ok ? std::string(body) : "refused: " + reason;
    };
    EXPECT_EQ(read(std::string("\0body", 5)), "body");
    EXPECT_EQ(indexes, std::vector<int>{0});
    EXPECT_EQ(read("\x04\x02\x06"
                   "body"),
              "body");  // count 2: [1, 3]
    EXPECT_EQ(indexes, (std::vector<int>{1, 3}));
    EXPECT_EQ(read("\x02\xac\x02"), "");  // count 1: [150], a two-byte varint
    EXPECT_EQ(indexes, std::vector<int>{150});
    EXPECT_EQ(read(""), "refused: message-index list truncated or corrupt (after the schema id)");
    EXPECT_EQ(read("\x04\x02"), "refused: message-index list truncated or corrupt (index 2 of 2)");
    EXPECT_EQ(read("\x01"), "refused: message-index list of -1 indexes: not a count of 0 to 64");
    EXPECT_EQ(read("\xfe\xff\xff\xff\x0f"),
              "refused: message-index list of 2147483647 indexes: not a count of 0 to 64");
    EXPECT_EQ(read("\x02\x01"), "refused: message index -1 is negative");
    EXPECT_EQ(read("\xff\xff\xff\xff\xff\x01"),
              "refused: message-index list truncated or corrupt (after the schema id)");
}

TEST(ProtobufJson, EveryTypeHasItsExactCanonicalJson) {
    Encoder enc;
    formats::protobuf::Reader reader(file_config());
    const std::string bytes = enc.bytes("shop.Order", R"({
        "id": "9007199254740993", "name": "tab\there \"q\" Ünï 😀", "qty": 0, "plain": 0, "status": "PAID",
        "tags": ["a", "b"], "attrs": {"k": 1}, "ship": {"city": "Oslo"},
        "placed_at": "2024-05-01T09:30:00.500Z", "wait": "3.5s", "w64": "7", "wtext": "",
        "extra": {"l": [true, null, "s", 1.5, {}]}, "any_value": "hi", "data": "AP8=", "b": 0,
        "score": "NaN", "ratio": 0.1, "ok": true, "big": "18446744073709551615", "delta": -3,
        "by_id": {"5": {"city": "Rome"}}, "history": ["NEW", "PAID"], "flag": false, "nothing": {},
        "lines": [{"sku": "x"}, {}]})");
    const std::string json = decode(reader, bytes);
    EXPECT_EQ(json,
              R"({"id":"9007199254740993","name":"tab\there \"q\" Ünï 😀","qty":0,"plain":0,"status":"PAID",)"
              R"("tags":["a","b"],"attrs":{"k":1},"ship":{"city":"Oslo"},"placed_at":"2024-05-01T09:30:00.500Z",)"
              R"("wait":"3.500s","w64":"7","wtext":"","extra":{"l":[true,null,"s",1.5,{}]},"any_value":"hi",)"
              R"("data":"AP8=","b":0,"score":"NaN","ratio":0.1,"ok":true,"big":"18446744073709551615","delta":-3,)"
              R"("by_id":{"5":{"city":"Rome"}},"history":["NEW","PAID"],"flag":false,"nothing":{},)"
              R"("lines":[{"sku":"x"},{"sku":""}]})");
    EXPECT_EQ(nlohmann::json::parse(json), nlohmann::json::parse(enc.library_json("shop.Order", bytes)));
}

// proto3 presence: an unset `optional`, oneof member or message is absent (a NULL column); an
// unset plain scalar is its default; repeated and map fields are empty.
TEST(ProtobufJson, AnEmptyMessageGivesDefaultsAndLeavesFieldsWithPresenceOut) {
    Encoder enc;
    formats::protobuf::Reader reader(file_config());
    const std::string json = decode(reader, "");
    EXPECT_EQ(json, R"({"id":"0","name":"","plain":0,"status":"NEW","tags":[],"attrs":{},"data":"","score":0,)"
                    R"("ratio":0,"ok":false,"big":"0","delta":0,"by_id":{},"history":[],"lines":[]})");
    EXPECT_EQ(nlohmann::json::parse(json), nlohmann::json::parse(enc.library_json("shop.Order", "")));
}

TEST(ProtobufJson, AnEnumNumberTheSchemaDoesNotNameIsTheNumber) {
    formats::protobuf::Reader reader(file_config());
    EXPECT_NE(decode(reader, "\x30\x07").find(R"("status":7)"), std::string::npos);  // field 6 = 7
}

TEST(ProtobufJson, ValuesJsonCannotHoldAndCorruptBodiesAreRefusedWithAReason) {
    Encoder enc;
    formats::protobuf::Reader reader(file_config());
    std::string out, reason;
    // placed_at { seconds: 253402300800 }: the year 10000.
    const std::string late =
        enc.bytes("shop.Order", R"({"id": "1"})") + std::string("\x52\x07\x08\x80\x83\xd1\xff\xaf\x07", 9);
    EXPECT_FALSE(reader.to_json(late, out, reason));
    EXPECT_EQ(reason, "Timestamp 253402300800s 0ns: out of range (years 1 to 9999)");
    const std::string good = enc.bytes("shop.Order", R"({"name": "abcdef"})");
    for (const auto& bad : {good.substr(0, good.size() - 2), std::string("\x12\xff\xff\xff\xff\x07x", 7),
                            std::string("\x12\x02\xc3\x28", 4)}) {  // truncated; a 2 GB length; invalid UTF-8
        EXPECT_FALSE(reader.to_json(bad, out, reason));
        EXPECT_EQ(reason, "not a shop.Order message (truncated or corrupt, " + std::to_string(bad.size()) + " bytes)");
    }
}

TEST(ProtobufJson, AFileOrMessageThatCannotBeUsedIsAConfigError) {
    auto missing = file_config("shop.Nope");
    EXPECT_THROW(formats::protobuf::Reader{missing}, Error);
    try {
        formats::protobuf::Reader{missing};
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no message \"shop.Nope\" in"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("shop.Order, shop.Other"), std::string::npos) << e.what();
    }
    auto broken = file_config();
    broken.protobuf.file = proto_dir() + "/broken.proto";
    std::ofstream(broken.protobuf.file) << "syntax = \"proto3\"; message M { strin x = 1; }";
    EXPECT_THROW(formats::protobuf::Reader{broken}, Error);
}

TEST(ProtobufDecoder, FieldsGoOutAsAJsonDocumentWithTheMetadataColumns) {
    auto cfg = file_config("shop.Other");
    const auto decoder = formats::make_decoder(cfg, true);
    std::string out, reason;
    Message m;
    const std::string value("\x0a\x02hi", 4);  // Message views its bytes
    m.value = value;
    m.key = "k";
    m.has_key = true;
    m.partition = 1;
    m.offset = 2;
    m.timestamp_ms = 1558064702646;
    ASSERT_TRUE(decoder->encode(m, out, reason) == Encoded::row) << reason;
    EXPECT_EQ(out, "{\"x\":\"hi\"}\tk\t1\t2\t2019-05-17 03:45:02.646+00\n");
}

TEST(ProtobufDecoder, WithoutItsRegistryIsUnavailableNotRejected) {
    Config cfg;
    cfg.format = Format::protobuf;
    cfg.columns = {{"jdata", "json", false}};
    cfg.avro.registry_urls = {"http://127.0.0.1:1"};
    const auto decoder = formats::make_decoder(cfg, true);
    std::string out = "previous\n", reason;
    Message m;
    const std::string value("\0\0\0\0\x07\0\x0a\x01x", 9);  // Message views its bytes
    m.value = value;
    EXPECT_TRUE(decoder->encode(m, out, reason) == Encoded::unavailable);
    EXPECT_NE(reason.find("schema registry unavailable for schema id 7"), std::string::npos) << reason;
    EXPECT_EQ(out, "previous\n");
    cfg.format = Format::json;  // JSON Schema: the id is checked too
    EXPECT_TRUE(formats::make_decoder(cfg, true)->encode(m, out, reason) == Encoded::unavailable);
    m.value = "{}";
    EXPECT_TRUE(formats::make_decoder(cfg, true)->encode(m, out, reason) == Encoded::rejected);
    EXPECT_EQ(reason, "2 bytes: too short for Confluent's wire format (magic byte 0, schema id, JSON)");
}
