#!/usr/bin/python3
"""Writes the example's first orders as a producer with a Schema Registry would (Confluent's wire
format), printing each message as hex, one a line:  produce.py REGISTRY_URL TOPIC
Registers the key schema (orders-key: the record {id}) and version 1 of the value (orders-value)."""
import datetime
import decimal
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema

KEY = {"type": "record", "name": "OrderKey", "namespace": "shop", "fields": [{"name": "id", "type": "long"}]}
V1 = {"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}
# Version 2 adds a field: evolve adds its column, NULL in the rows loaded before.
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


AT = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.timezone.utc)

if __name__ == "__main__":
    url, topic = sys.argv[1], sys.argv[2]
    register(url, topic + "-key", KEY)
    v1 = register(url, topic + "-value", V1)
    for i, (customer, amount) in enumerate([("Ada", "19.99"), ("Bjørn", "1250.00")], start=1):
        datum = {"id": i, "customer": customer, "amount": decimal.Decimal(amount),
                 "placed_at": AT + datetime.timedelta(minutes=5 * i)}
        print(message(v1, V1, datum).hex())
