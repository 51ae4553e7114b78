#!/usr/bin/python3
"""Produces the soak's messages at a steady rate until SIGTERM or the duration: CSV
"id|sent_at|payload", ids from 1 in order, keyed by id (so each partition holds ids in order),
one message in BAD_EVERY with payload "bad" (the soak table's CHECK refuses it). Writes the last
id Kafka acknowledged to LAST_FILE when it ends.

  produce.py BROKERS TOPIC RATE DURATION BAD_EVERY LAST_FILE
"""
import signal
import sys
import time
from datetime import datetime, timezone

from confluent_kafka import Producer

brokers, topic, rate, duration, bad_every, last_file = sys.argv[1:7]
rate, duration, bad_every = int(rate), float(duration), int(bad_every)
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "linger.ms": 5,
                     "message.timeout.ms": 600000})
acked = set()
failed = []


def on_delivery(err, msg):
    if err is not None:
        failed.append(str(err))
    else:
        acked.add(int(msg.key()))


start = time.monotonic()
n = 0
while not stop and time.monotonic() - start < duration:
    due = int((time.monotonic() - start) * rate)
    while n < due:
        n += 1
        payload = "bad" if bad_every and n % bad_every == 0 else "p%d" % n
        sent = datetime.now(timezone.utc).isoformat()
        while True:
            try:
                producer.produce(topic, key=str(n), value="%d|%s|%s" % (n, sent, payload), on_delivery=on_delivery)
                break
            except BufferError:  # the queue is full (brokers down): wait for room
                producer.poll(0.1)
    producer.poll(0.01)
producer.flush(600)
# Every id up to n was produced in order; the run is judged on the ids Kafka acknowledged.
with open(last_file, "w") as f:
    f.write("%d %d %d\n" % (n, len(acked), len(failed)))
sys.exit(1 if failed else 0)
