#!/usr/bin/python3
"""Writes the example's orders as a producer with a Schema Registry would (Confluent's wire
format), printing each message as hex, one a line:  produce.py REGISTRY_URL TOPIC

common_address.proto is registered first, under its own subject, and orders.proto names it as a
reference (import "common/address.proto"). Version 1 of orders.proto has no coupon; version 2 is
the file as it is. The messages are encoded by python3-protobuf from protoc's compilation."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import urllib.request

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

here = os.path.dirname(os.path.abspath(__file__))
ADDRESS = open(os.path.join(here, "common_address.proto")).read()
V2 = open(os.path.join(here, "orders.proto")).read()
V1 = "\n".join(line for line in V2.split("\n") if "version 2" not in line)


def order_type(text):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "common"))
        open(os.path.join(d, "common", "address.proto"), "w").write(ADDRESS)
        open(os.path.join(d, "orders.proto"), "w").write(text)
        out = os.path.join(d, "set.pb")
        subprocess.run(["protoc", "-I", d, "-I", "/usr/include", "--include_imports", "--descriptor_set_out=" + out,
                        "orders.proto"], check=True)
        files = descriptor_pb2.FileDescriptorSet.FromString(open(out, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("shop.Order"))


def register(url, subject, text, references=()):
    body = {"schemaType": "PROTOBUF", "schema": text, "references": list(references)}
    req = urllib.request.Request(f"{url}/subjects/{subject}/versions", json.dumps(body).encode(),
                                 {"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def message(schema_id, order):
    return b"\0" + struct.pack(">I", schema_id) + b"\0" + order.SerializeToString()  # index list [0]: Order


url, topic = sys.argv[1], sys.argv[2]
register(url, topic + "-common-address", ADDRESS)
refs = [{"name": "common/address.proto", "subject": topic + "-common-address", "version": 1}]
v1, v2 = register(url, topic + "-value", V1, refs), register(url, topic + "-value", V2, refs)
Order1, Order2 = order_type(V1), order_type(V2)
orders = [
    (v1, json_format.ParseDict({"id": "1", "customer": "Ada", "amount": "19.99", "placed_at": "2024-05-01T09:30:00Z",
                                "ship_to": {"street": "1 Main St", "city": "London"},
                                "items": [{"sku": "BOOK", "quantity": 1}]}, Order1())),
    (v1, json_format.ParseDict({"id": "2", "customer": "Bjørn", "amount": "1250.00", "placed_at": "2024-05-01T09:35:00Z",
                                "status": "PAID", "ship_to": {"city": "Oslo"},
                                "items": [{"sku": "SKI", "quantity": 2}, {"sku": "POLE", "quantity": 2}]}, Order1())),
    (v2, json_format.ParseDict({"id": "3", "customer": "Chen", "amount": "0.50", "placed_at": "2024-05-01T10:30:00Z",
                                "status": "SHIPPED", "ship_to": {"city": "Taipei"}, "coupon": "SPRING"}, Order2())),
]
for schema_id, order in orders:
    print(message(schema_id, order).hex())
print(message(4242, orders[0][1]).hex())  # a schema id the registry does not know
