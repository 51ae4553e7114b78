#!/usr/bin/python3
"""Commits offsets for a consumer group as another tool would (the previous loader, or an
operator's kafka-consumer-groups.sh --reset-offsets).

usage: commit_offsets.py BROKERS GROUP TOPIC P:O[,P:O...] [METADATA]

Without METADATA: confluent_kafka, as most tools commit (no metadata). With METADATA:
kafka-python, whose commits carry a metadata string (Debian's confluent_kafka 1.7 cannot)."""
import sys

brokers, group, topic, spec = sys.argv[1:5]
metadata = sys.argv[5] if len(sys.argv) > 5 else None
offsets = [tuple(int(x) for x in item.split(":")) for item in spec.split(",")]

if metadata is None:
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
    result = c.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets], asynchronous=False)
    for tp in result:
        if tp.error:
            sys.exit(f"partition {tp.partition}: {tp.error}")
    c.close()
else:
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    c = KafkaConsumer(bootstrap_servers=brokers, group_id=group, enable_auto_commit=False,
                      api_version=(2, 0, 0))
    c.commit({TopicPartition(topic, p): OffsetAndMetadata(o, metadata) for p, o in offsets})
    c.close(autocommit=False)
