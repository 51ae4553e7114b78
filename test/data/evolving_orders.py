#!/usr/bin/python3
"""Orders from a producer that registers its schema versions as it goes (Debian's python3-avro,
independent of dgkafka), in Confluent's wire format, printed as hex, one a line:

  evolving_orders.py REGISTRY_URL SUBJECT VERSION FIRST COUNT

registers version VERSION (1, or 2: it adds the optional field "coupon") under SUBJECT and writes
orders FIRST .. FIRST+COUNT-1 of it; a version-2 order has the coupon "C<id>"."""
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
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}]}
V2 = dict(V1, fields=V1["fields"] + [{"name": "coupon", "type": ["null", "string"], "default": None}])


def register(url, subject, schema):
    req = urllib.request.Request(f"{url}/subjects/{subject}/versions", json.dumps({"schema": json.dumps(schema)}).encode(),
                                 {"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def main():
    url, subject, version, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    schema = V2 if version == 2 else V1
    schema_id = register(url, subject, schema)
    writer = avro.io.DatumWriter(avro.schema.parse(json.dumps(schema)))
    for i in range(first, first + count):
        datum = {"id": i, "customer": f"customer {i}", "amount": decimal.Decimal(i) / 100}
        if version == 2:
            datum["coupon"] = f"C{i}"
        out = io.BytesIO()
        writer.write(datum, avro.io.BinaryEncoder(out))
        print((b"\0" + struct.pack(">I", schema_id) + out.getvalue()).hex())


if __name__ == "__main__":
    main()
