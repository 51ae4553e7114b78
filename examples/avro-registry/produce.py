#!/usr/bin/python3
"""Writes the example's orders as a producer with a Schema Registry would (Confluent's wire
format), printing each message as hex, one a line:  produce.py REGISTRY_URL TOPIC"""
import datetime
import decimal
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema

V1 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
    {"name": "note", "type": ["null", "string"], "default": None}]}
V2 = dict(V1, fields=V1["fields"] + [{"name": "coupon", "type": ["null", "string"], "default": None}])


def register(url, subject, schema):
    req = urllib.request.Request(f"{url}/subjects/{subject}/versions", json.dumps({"schema": json.dumps(schema)}).encode(),
                                 {"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def message(schema_id, schema, datum):
    out = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(json.dumps(schema))).write(datum, avro.io.BinaryEncoder(out))
    return b"\0" + struct.pack(">I", schema_id) + out.getvalue()


url, topic = sys.argv[1], sys.argv[2]
v1, v2 = register(url, topic + "-value", V1), register(url, topic + "-value", V2)
at = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.timezone.utc)
orders = [
    (v1, V1, {"id": 1, "customer": "Ada", "amount": decimal.Decimal("19.99"), "placed_at": at, "status": "NEW", "note": None}),
    (v1, V1, {"id": 2, "customer": "Bjørn", "amount": decimal.Decimal("1250.00"), "placed_at": at + datetime.timedelta(minutes=5),
              "status": "PAID", "note": "gift"}),
    (v2, V2, {"id": 3, "customer": "Chen", "amount": decimal.Decimal("0.50"), "placed_at": at + datetime.timedelta(hours=1),
              "status": "SHIPPED", "note": None, "coupon": "SPRING"}),
]
for schema_id, schema, datum in orders:
    print(message(schema_id, schema, datum).hex())
print(message(4242, V1, orders[0][2]).hex())  # a schema id the registry does not know
