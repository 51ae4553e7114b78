#!/usr/bin/python3
"""Avro test messages encoded by an encoder independent of dgkafka's (Debian's python3-avro),
in Confluent's wire format with two schema versions registered on one subject, or bare.

  avro_orders.py REGISTRY_URL SUBJECT   -> one JSON line per message:
      {"value": "<hex>", "expected": [column texts] | null (must be rejected), "why": "..."}
  avro_orders.py --bare                 -> the same, bare Avro binary of schema v1 (no registry)
  avro_orders.py --schema               -> schema v1 (for an .avsc file)
"""
import datetime
import decimal
import io
import json
import struct
import sys
import urllib.request
import uuid

import avro.io
import avro.schema

V1 = {
    "type": "record", "name": "Order", "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "big", "type": {"type": "fixed", "name": "Big", "size": 16, "logicalType": "decimal",
                                 "precision": 38, "scale": 10}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "t_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "data", "type": "bytes"},
        {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "int"}},
        {"name": "score", "type": "double"},
        {"name": "ratio", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "ship", "type": ["null", {"type": "record", "name": "Address",
                                          "fields": [{"name": "city", "type": "string"}]}], "default": None},
    ],
}
# Version 2: a new optional field, one removed (a backward-compatible evolution).
V2 = json.loads(json.dumps(V1))
V2["fields"] = [f for f in V2["fields"] if f["name"] != "ship"] + [
    {"name": "email", "type": ["null", "string"], "default": None}]

UTC = datetime.timezone.utc


def register(url, subject, schema):
    body = json.dumps({"schema": json.dumps(schema)}).encode()
    req = urllib.request.Request(url + "/subjects/" + subject + "/versions", data=body,
                                 headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def encode(schema, datum):
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


def record(i, version):
    ts = datetime.datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=UTC) + datetime.timedelta(days=i)
    r = {
        "id": i,
        "name": ["plain", "Ünïcødé 日本語 😀", "tab\there \"q\" \\ back", "", "line\nbreak"][i % 5],
        "price": decimal.Decimal(["12345.67", "-0.05", "0.00", "9999999999.99", "-12.30"][i % 5]),
        "big": decimal.Decimal(["1234567890123456789012345678.0123456789", "-0.0000000001", "0E-10",
                                "-9999999999999999999999999999.9999999999", "1.5000000000"][i % 5]),
        "ts": ts,
        "ts_us": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) + datetime.timedelta(days=i),
        "day": datetime.date(2000, 1, 1) + datetime.timedelta(days=i * 400),
        "t_ms": datetime.time(13, 14, 15, 16000),
        "t_us": datetime.time(23, 59, 59, 999999),
        "uid": str(uuid.UUID(int=i * 0x1111111111111111)),
        "data": bytes([0, 1, 0xfe, 0xff, i % 256]),
        "fx": b"\x00\xde\xad" + bytes([i % 256]),
        "color": ["RED", "GREEN", "BLUE"][i % 3],
        "note": None if i % 2 else "note %d" % i,
        "tags": ["a", "b"][: i % 3],
        "attrs": {"k": i, "ü": -i},
        "score": [1.5, -2.25e-300, 1e300, 0.1, 3.0][i % 5],
        "ratio": [0.5, -1.25, 2.0, 0.0, 100.0][i % 5],
        "ok": i % 2 == 0,
    }
    if version == 1:
        r["ship"] = None if i % 3 == 0 else {"city": "Zürich %d" % i}
    else:
        r["email"] = None if i % 2 else "u%d@example.com" % i
    return r


def expected(r, version):
    """The output row as text PostgreSQL reads for the test's column types."""
    def hexb(b):
        return "\\x" + b.hex()
    return [
        str(r["id"]), r["name"], str(r["price"]), str(r["big"]),
        r["ts"].isoformat(), r["ts_us"].isoformat(), r["day"].isoformat(),
        r["t_ms"].isoformat(), r["t_us"].isoformat(), r["uid"], hexb(r["data"]), hexb(r["fx"]), r["color"],
        r["note"], json.dumps(r["tags"], ensure_ascii=False), json.dumps(r["attrs"], ensure_ascii=False),
        repr(r["score"]), repr(r["ratio"]), "true" if r["ok"] else "false",
        (r.get("ship") or {}).get("city"), r.get("email"), str(version),
    ]


def main():
    v1 = avro.schema.parse(json.dumps(V1))
    v2 = avro.schema.parse(json.dumps(V2))
    if sys.argv[1] == "--schema":
        print(json.dumps(V1, indent=2))
        return
    bare = sys.argv[1] == "--bare"
    out = []
    if bare:
        for i in range(1, 7):
            r = record(i, 1)
            out.append({"value": encode(v1, r).hex(), "expected": expected(r, 1)})
        out.append({"value": encode(v1, record(7, 1))[:-3].hex(), "expected": None, "why": "truncated"})
    else:
        url, subject = sys.argv[1], sys.argv[2]
        ids = {1: register(url, subject, V1), 2: register(url, subject, V2)}
        schemas = {1: v1, 2: v2}

        def wire(version, body):
            return b"\x00" + struct.pack(">I", ids[version]) + body
        for i in range(1, 13):
            version = 1 if i <= 4 or i % 3 == 0 else 2  # the versions interleave after the change
            r = record(i, version)
            out.append({"value": wire(version, encode(schemas[version], r)).hex(), "expected": expected(r, version)})
        good = encode(v1, record(99, 1))
        out.append({"value": (b"\x00" + struct.pack(">I", 999999) + good).hex(), "expected": None,
                    "why": "unknown schema id"})
        out.append({"value": wire(1, good)[:-4].hex(), "expected": None, "why": "truncated"})
        out.append({"value": (b"\x01" + wire(1, good)[1:]).hex(), "expected": None, "why": "wrong magic byte"})
        out.append({"value": b"{\"id\": 1}".hex(), "expected": None, "why": "JSON, not Avro"})
        out.append({"value": wire(1, good + b"\x00\x01").hex(), "expected": None, "why": "bytes left over"})
        out.append({"value": b"\x00\x00".hex(), "expected": None, "why": "too short"})
        r = record(13, 2)
        out.append({"value": wire(2, encode(v2, r)).hex(), "expected": expected(r, 2)})
    for m in out:
        print(json.dumps(m, ensure_ascii=False))


if __name__ == "__main__":
    main()
