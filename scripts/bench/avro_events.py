#!/usr/bin/python3
"""Sends the benchmark's JSON events (gen_events.awk) to a topic as Avro in Confluent's wire format,
with the schema registered in the sandbox's registry: the same records as the JSON load.
python3-avro's DatumWriter takes ~200 us a record, so the records are encoded here by a few lines
of Avro's binary encoding, checked byte for byte against DatumWriter on the first thousand
(about 40 s for 1,000,000 records on the benchmark machine, most of it json.loads and produce).

  avro_events.py REGISTRY_URL BROKERS TOPIC PARTITIONS EVENTS_FILE
"""
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema
from confluent_kafka import Producer

SCHEMA = {"type": "record", "name": "HttpRequest", "namespace": "bench", "fields": [
    {"name": "site_id", "type": "int"}, {"name": "ingest_time", "type": "string"}, {"name": "url", "type": "string"},
    {"name": "request_country", "type": "string"}, {"name": "ip_address", "type": "string"},
    {"name": "status_code", "type": "int"}, {"name": "response_time_msec", "type": "int"}]}
FIELDS = [(f["name"], f["type"] == "int") for f in SCHEMA["fields"]]


def long(n):
    u = (n << 1) ^ (n >> 63)
    out = bytearray()
    while u > 0x7F:
        out.append((u & 0x7F) | 0x80)
        u >>= 7
    out.append(u)
    return bytes(out)


SMALL = [long(n) for n in range(4096)]  # the varints of these records' numbers and lengths, made once


def encode(record):
    out = []
    for name, is_int in FIELDS:
        v = record[name]
        if not is_int:
            v = v.encode()
            out.append(SMALL[len(v)] if len(v) < 4096 else long(len(v)))
            out.append(v)
        else:
            out.append(SMALL[v] if 0 <= v < 4096 else long(v))
    return b"".join(out)


def register(url, subject):
    body = json.dumps({"schema": json.dumps(SCHEMA)}).encode()
    req = urllib.request.Request(url + "/subjects/" + subject + "/versions", data=body,
                                 headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["id"]


def main():
    url, brokers, topic, partitions, events = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    header = b"\x00" + struct.pack(">I", register(url, topic + "-value"))
    writer = avro.io.DatumWriter(avro.schema.parse(json.dumps(SCHEMA)))
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50, "queue.buffering.max.messages": 1000000})
    with open(events) as f:
        for i, line in enumerate(f):
            record = json.loads(line)
            body = encode(record)
            if i < 1000:
                check = io.BytesIO()
                writer.write(record, avro.io.BinaryEncoder(check))
                assert check.getvalue() == body, "hand encoding differs from python3-avro's at record %d" % i
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
