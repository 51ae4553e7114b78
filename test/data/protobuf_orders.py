#!/usr/bin/python3
"""Protobuf test messages encoded by an encoder independent of dgkafka's (Debian's python3-protobuf,
the .proto files compiled by protoc at run time), in Confluent's wire format: two versions of
shop.Order registered on one subject, each importing common/address.proto registered as a schema
reference, the well-known types, a second message type picked by the message-index list, and
messages dgkafka must reject.

  protobuf_orders.py REGISTRY_URL TOPIC   -> one JSON line per message:
      {"value": "<hex>", "expected": {column: text or null} | null (must be rejected), "why": "..."}
  protobuf_orders.py --proto DIR          -> writes shop.proto (v1) and common/address.proto into DIR
  protobuf_orders.py --plain DIR          -> the same messages of v1 as plain Protobuf (no prefix)
"""
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile
import urllib.request

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

ADDRESS = """syntax = "proto3";
package common;
message Address {
  string city = 1;
  string zip = 2;
}
"""
ORDER_V1 = """syntax = "proto3";
package shop;
import "common/address.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";

message Order {
  enum Status { NEW = 0; PAID = 1; SHIPPED = 2; }
  message Line { string sku = 1; int32 n = 2; }
  int64 id = 1;
  string name = 2;
  optional string note = 3;
  int32 qty = 4;
  Status status = 5;
  repeated string tags = 6;
  map<string, int32> attrs = 7;
  common.Address ship = 8;
  google.protobuf.Timestamp placed_at = 9;
  google.protobuf.Duration wait = 10;
  google.protobuf.Int64Value points = 11;
  google.protobuf.StringValue coupon = 12;
  google.protobuf.Struct extra = 13;
  double score = 14;
  bool ok = 15;
  bytes data = 16;
  oneof pay { string card = 17; int64 account = 18; }
  repeated Line lines = 19;
  //@V2
}

message Refund {
  int64 id = 1;
  string why = 2;
}
"""
ORDER_V2 = ORDER_V1.replace("  //@V2\n", "  optional string email = 20;\n")

COLUMNS = ["id", "name", "note", "qty", "status", "tags", "attrs", "ship", "placed_at", "wait", "points", "coupon",
           "extra", "score", "ok", "data", "card", "account", "lines", "email", "why"]


def compile_types(order_text):
    """shop.Order and shop.Refund classes of this version, in a pool of their own."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "common"))
        for name, text in (("shop.proto", order_text), ("common/address.proto", ADDRESS)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        out = os.path.join(d, "set.pb")
        subprocess.run(["protoc", "-I", d, "-I", "/usr/include", "--include_imports", "--descriptor_set_out=" + out,
                        "shop.proto"], check=True)
        with open(out, "rb") as f:
            files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in files.file:
        pool.Add(fd)
    factory = message_factory.MessageFactory(pool)
    return {name: factory.GetPrototype(pool.FindMessageTypeByName(name))
            for name in ("shop.Order", "shop.Refund", "shop.Order.Line")}


def register(url, subject, text, references=(), kind="PROTOBUF"):
    body = {"schema": text, "schemaType": kind}
    if references:
        body["references"] = list(references)
    req = urllib.request.Request(url + "/subjects/" + subject + "/versions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def zigzag(n):
    n = (n << 1) ^ (n >> 31)
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def wire(schema_id, indexes, body):
    head = b"\0" + struct.pack(">I", schema_id)
    head += b"\0" if indexes == [0] else zigzag(len(indexes)) + b"".join(zigzag(i) for i in indexes)
    return head + body


def row(**values):
    return {c: values.get(c) for c in COLUMNS}


def messages(v1, v2):
    """(version, indexes, type, json, expected row or None, why)"""
    full = {"id": "1", "name": "Ünïcødé 日本語 😀 \"q\" \\ tab\t", "note": "gift", "qty": 3, "status": "PAID",
            "tags": ["a", "b"], "attrs": {"x": 1}, "ship": {"city": "Oslo", "zip": "0150"},
            "placed_at": "2024-02-29T23:59:58.123Z", "wait": "3.5s", "points": "9007199254740993",
            "coupon": "SPRING", "extra": {"k": [1, "two", None, True]}, "score": 2.5, "ok": True,
            "data": base64.b64encode(b"\x00\xffab").decode(), "card": "4111", "lines": [{"sku": "A1", "n": 2}, {"sku": "B"}]}
    yield (1, [0], "shop.Order", full,
           row(id="1", name=full["name"], note="gift", qty="3", status="PAID", tags='["a", "b"]', attrs='{"x": 1}',
               ship='{"zip": "0150", "city": "Oslo"}', placed_at="2024-02-29 23:59:58.123+00", wait="00:00:03.5",
               points="9007199254740993", coupon="SPRING", extra='{"k": [1, "two", null, true]}', score="2.5",
               ok="true", data="AP9hYg==", card="4111", lines='[{"n": 2, "sku": "A1"}, {"n": 0, "sku": "B"}]'), "")
    # Nothing but the id: plain scalars are their defaults, fields with presence NULL.
    yield (1, [0], "shop.Order", {"id": "2"},
           row(id="2", name="", qty="0", status="NEW", tags="[]", attrs="{}", score="0", ok="false", data="",
               lines="[]"), "")
    # Version 2: a new optional field; the other branch of the oneof; a wrapper holding its default.
    yield (2, [0], "shop.Order", {"id": "3", "email": "c@example.com", "account": "-42", "points": "0", "note": "",
                                  "placed_at": "1970-01-01T00:00:00Z", "wait": "-0.000001s", "status": "SHIPPED"},
           row(id="3", name="", note="", qty="0", status="SHIPPED", tags="[]", attrs="{}", placed_at="1970-01-01 00:00:00+00",
               wait="-00:00:00.000001", points="0", score="0", ok="false", data="", account="-42", lines="[]",
               email="c@example.com"), "")
    # The second message of the file, named by the message-index list [1].
    yield (2, [1], "shop.Refund", {"id": "4", "why": "damaged"}, row(id="4", why="damaged"), "")


def main():
    if sys.argv[1] == "--proto":
        os.makedirs(os.path.join(sys.argv[2], "common"), exist_ok=True)
        with open(os.path.join(sys.argv[2], "shop.proto"), "w") as f:
            f.write(ORDER_V1)
        with open(os.path.join(sys.argv[2], "common", "address.proto"), "w") as f:
            f.write(ADDRESS)
        return
    types = {1: compile_types(ORDER_V1), 2: compile_types(ORDER_V2)}

    def encode(version, type_name, doc):
        return json_format.Parse(json.dumps(doc), types[version][type_name]()).SerializeToString()

    out = []
    if sys.argv[1] == "--plain":
        for version, indexes, type_name, doc, expected, why in messages(1, 2):
            if version == 1 and type_name == "shop.Order":
                out.append((encode(1, type_name, doc), expected, why))
        good = encode(1, "shop.Order", {"id": "5", "name": "abcdef"})
        out.append((good[:-2], None, "truncated body"))
        out.append((b"\x12\xff\xff\xff\xff\x07x", None, "a 2 GB length"))
    else:
        url, topic = sys.argv[1], sys.argv[2]
        address = register(url, topic + "-common-address", ADDRESS)
        del address
        refs = [{"name": "common/address.proto", "subject": topic + "-common-address", "version": 1}]
        ids = {1: register(url, topic + "-value", ORDER_V1, refs), 2: register(url, topic + "-value", ORDER_V2, refs)}
        for version, indexes, type_name, doc, expected, why in messages(1, 2):
            out.append((wire(ids[version], indexes, encode(version, type_name, doc)), expected, why))
        avro_id = register(url, topic + "-avro", json.dumps({"type": "string"}), kind="AVRO")
        good = encode(2, "shop.Order", {"id": "5", "name": "abcdef"})
        out += [
            (wire(999999, [0], good), None, "unknown schema id"),
            (b"\x01" + wire(ids[1], [0], good)[1:], None, "magic byte"),
            (b"\0\0\0", None, "too short"),
            (wire(ids[2], [0], good)[:-2], None, "truncated body"),
            (wire(ids[2], [7], good), None, "an index naming no message"),
            (wire(ids[2], [0, 5], good), None, "a nested index naming no message"),
            (wire(ids[2], [0], b"\x12\xff\xff\xff\xff\x07x"), None, "a 2 GB length"),
            (b"\0" + struct.pack(">I", ids[2]) + b"\xfe\xff\xff\xff\x0f", None, "a hostile index count"),
            (wire(avro_id, [0], good), None, "an Avro schema id"),
        ]
    for value, expected, why in out:
        print(json.dumps({"value": value.hex(), "expected": expected, "why": why}))


if __name__ == "__main__":
    main()
