#!/usr/bin/python3
"""Sends the benchmark's JSON events (gen_events.awk) to a topic as Protobuf in Confluent's wire
format (magic byte 0, the schema id, the message-index list [0] as the single byte 0, the
message), with the .proto registered in the sandbox's registry (schemaType PROTOBUF): the same
records as the JSON load. The messages are encoded by a few lines of Protobuf's binary encoding,
checked byte for byte against python3-protobuf (from protoc's compilation of PROTO) on the first
thousand, as avro_events.py does for Avro.

  protobuf_events.py REGISTRY_URL BROKERS TOPIC PARTITIONS EVENTS_FILE
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import urllib.request

from confluent_kafka import Producer
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

PROTO = """syntax = "proto3";
package bench;

message HttpRequest {
  int32 site_id = 1;
  string ingest_time = 2;
  string url = 3;
  string request_country = 4;
  string ip_address = 5;
  int32 status_code = 6;
  int32 response_time_msec = 7;
}
"""
# (name, field number, is an int32), in field-number order: the order python3-protobuf writes.
FIELDS = [("site_id", 1, True), ("ingest_time", 2, False), ("url", 3, False), ("request_country", 4, False),
          ("ip_address", 5, False), ("status_code", 6, True), ("response_time_msec", 7, True)]
TAGS = [bytes([number << 3 | (0 if is_int else 2)]) for _, number, is_int in FIELDS]


def varint(n):
    n &= 0xFFFFFFFFFFFFFFFF  # a negative int32 is written as its 64-bit two's complement
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


SMALL = [varint(n) for n in range(4096)]  # the varints of these records' numbers and lengths, made once


def encode(record):
    out = []
    for (name, _, is_int), tag in zip(FIELDS, TAGS):
        v = record[name]
        if not v:  # proto3: a field at its default (0, "") is not written
            continue
        out.append(tag)
        if not is_int:
            v = v.encode()
            out.append(SMALL[len(v)] if len(v) < 4096 else varint(len(v)))
            out.append(v)
        else:
            out.append(SMALL[v] if 0 <= v < 4096 else varint(v))
    return b"".join(out)


def message_type():
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "http_request.proto"), "w") as f:
            f.write(PROTO)
        out = os.path.join(d, "set.pb")
        subprocess.run(["protoc", "-I", d, "--descriptor_set_out=" + out, "http_request.proto"], check=True)
        with open(out, "rb") as f:
            files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("bench.HttpRequest"))


def register(url, subject):
    body = json.dumps({"schemaType": "PROTOBUF", "schema": PROTO}).encode()
    req = urllib.request.Request(url + "/subjects/" + subject + "/versions", data=body,
                                 headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def main():
    url, brokers, topic, partitions, events = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    header = b"\x00" + struct.pack(">I", register(url, topic + "-value")) + b"\x00"  # index list [0]: HttpRequest
    HttpRequest = message_type()
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50, "queue.buffering.max.messages": 1000000})
    with open(events) as f:
        for i, line in enumerate(f):
            record = json.loads(line)
            body = encode(record)
            if i < 1000:
                check = json_format.ParseDict(record, HttpRequest()).SerializeToString()
                assert check == body, "hand encoding differs from python3-protobuf's at record %d" % i
            while True:
                try:
                    producer.produce(topic, header + body, partition=i % partitions)
                    break
                except BufferError:
                    producer.poll(0.1)
            if i % 10000 == 0:
                producer.poll(0)
    if producer.flush(60) > 0:  # a message that failed shows in the topic's count (bench.sh checks it)
        sys.exit("messages not delivered within 60 s")


if __name__ == "__main__":
    main()
