#!/usr/bin/python3
"""Hostile Avro messages: schemas parsed and registered with Debian's python3-avro, bodies either
encoded by it (the good ones) or crafted by hand (lengths and counts no message can hold, nesting
beyond dgkafka's limit, a record that always contains itself).

  hostile_avro.py REGISTRY_URL SUBJECT -> one JSON line per message:
      {"value": "<hex>", "id": N, "reject": "<part of the reason>" | null (must load)}
"""
import json
import struct
import sys

import avro.schema

from avro_orders import encode, register

NULLS = {"type": "record", "name": "Nulls", "fields": [
    {"name": "id", "type": "int"}, {"name": "items", "type": {"type": "array", "items": "null"}}]}
TEXT = {"type": "record", "name": "Text", "fields": [
    {"name": "id", "type": "int"}, {"name": "s", "type": "string"}, {"name": "b", "type": "bytes"},
    {"name": "m", "type": {"type": "map", "values": "int"}}]}
LIST = {"type": "record", "name": "Link", "fields": [
    {"name": "id", "type": "int"}, {"name": "next", "type": ["null", "Link"]}]}
ENDLESS = {"type": "record", "name": "Endless", "fields": [
    {"name": "id", "type": "int"}, {"name": "again", "type": "Endless"}]}


def varint(n):
    u = ((n << 1) ^ (n >> 63)) & (2 ** 64 - 1)
    out = b""
    while u > 0x7F:
        out += bytes([(u & 0x7F) | 0x80])
        u >>= 7
    return out + bytes([u])


def chain(depth, first_id):
    """A Link list `depth` records deep; the records below the first have ids 1, 2, ..."""
    node = {"id": depth - 1, "next": None}
    for k in range(depth - 2, 0, -1):
        node = {"id": k, "next": node}
    return {"id": first_id, "next": node}


def main():
    sys.setrecursionlimit(100000)  # python3-avro's writer recurses per level
    url, subject = sys.argv[1], sys.argv[2]
    schemas = {n: avro.schema.parse(json.dumps(s)) for n, s in
               (("nulls", NULLS), ("text", TEXT), ("list", LIST), ("endless", ENDLESS))}
    ids = {n: register(url, subject + "-" + n, s) for n, s in
           (("nulls", NULLS), ("text", TEXT), ("list", LIST), ("endless", ENDLESS))}

    def wire(name, body):
        return b"\x00" + struct.pack(">I", ids[name]) + body
    huge = 2 ** 62
    out = [
        (1, wire("nulls", encode(schemas["nulls"], {"id": 1, "items": [None] * 3})), None),
        (2, wire("nulls", varint(2) + varint(huge) + varint(0)), "array block of 4611686018427387904 items"),
        (3, wire("nulls", varint(3) + varint(-huge) + varint(0) + varint(0)), "array block of 4611686018427387904 items"),
        (4, wire("text", varint(4) + varint(huge) + b"abc"), "string of 4611686018427387904 bytes where 3 are left"),
        (5, wire("text", varint(5) + varint(2) + b"ok" + varint(-1)), "bytes of negative length -1"),
        (6, wire("text", varint(6) + varint(0) + varint(0) + varint(huge) + varint(0)),
         "map block of 4611686018427387904 items"),
        (7, wire("list", encode(schemas["list"], chain(500, 7))), None),
        (8, wire("list", (varint(8) + varint(1)) * 200000 + varint(8) + varint(0)),
         "nested deeper than 1000 levels"),
        (9, wire("endless", varint(9) + varint(9)), "record Endless always contains itself"),
        (10, wire("text", encode(schemas["text"], {"id": 10, "s": "fine", "b": b"\x00\xff", "m": {"k": 1}})), None),
    ]
    for ident, value, reject in out:
        print(json.dumps({"value": value.hex(), "id": ident, "reject": reject}))


if __name__ == "__main__":
    main()
