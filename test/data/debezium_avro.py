#!/usr/bin/python3
"""Debezium change events as its Avro converter writes them (Confluent's wire format, key and value
schemas registered as <topic>-key and <topic>-value), encoded by Debian's python3-avro.

  debezium_avro.py REGISTRY_URL TOPIC -> one JSON line per message {"key": hex, "value": hex | null},
                                         then {"state": [[id, name, qty], ...]} (the source's final state)
"""
import io
import json
import random
import struct
import sys
import urllib.request

import avro.io
import avro.schema

VALUE = {"type": "record", "name": "Value", "namespace": "dbserver1.inventory.items", "fields": [
    {"name": "id", "type": "int"},
    {"name": "name", "type": ["null", "string"], "default": None},
    {"name": "qty", "type": ["null", "int"], "default": None}]}
ENVELOPE = {"type": "record", "name": "Envelope", "namespace": "dbserver1.inventory.items", "fields": [
    {"name": "before", "type": ["null", VALUE], "default": None},
    {"name": "after", "type": ["null", "Value"], "default": None},
    {"name": "source", "type": {"type": "record", "name": "Source", "namespace": "io.debezium.connector.postgresql",
                                "fields": [{"name": "connector", "type": "string"}, {"name": "lsn", "type": ["null", "long"]}]}},
    {"name": "op", "type": "string"},
    {"name": "ts_ms", "type": ["null", "long"], "default": None}]}
KEY = {"type": "record", "name": "Key", "namespace": "dbserver1.inventory.items", "fields": [{"name": "id", "type": "int"}]}


def register(url, subject, schema):
    req = urllib.request.Request(f"{url}/subjects/{subject}/versions", json.dumps({"schema": json.dumps(schema)}).encode(),
                                 {"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def framed(schema_id, schema, datum):
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    return (b"\0" + struct.pack(">I", schema_id) + out.getvalue()).hex()


url, topic = sys.argv[1], sys.argv[2]
key_id, value_id = register(url, topic + "-key", KEY), register(url, topic + "-value", ENVELOPE)
key_schema, value_schema = avro.schema.parse(json.dumps(KEY)), avro.schema.parse(json.dumps(ENVELOPE))
rng = random.Random(5)
state = {}
for i in range(200):
    id_ = rng.randint(1, 15)
    before = state.get(id_)
    if before is None:
        op, after = "c", {"id": id_, "name": "n%d ✓" % i, "qty": i}
    elif rng.random() < 0.3:
        op, after, before = "d", None, {"id": id_, "name": None, "qty": None}
    else:
        op, after = "u", {"id": id_, "name": None if i % 5 == 0 else "n%d" % i, "qty": i}
    key = framed(key_id, key_schema, {"id": id_})
    value = {"before": before, "after": after, "source": {"connector": "postgresql", "lsn": 1000 + i}, "op": op,
             "ts_ms": 1700000000000 + i}
    print(json.dumps({"key": key, "value": framed(value_id, value_schema, value)}))
    if op == "d":
        del state[id_]
        print(json.dumps({"key": key, "value": None}))
    else:
        state[id_] = after
print(json.dumps({"state": [[r["id"], r["name"], r["qty"]] for _, r in sorted(state.items())]}))
