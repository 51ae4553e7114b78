-- Current offsets: one row per consumer group, topic and partition holding the next offset to
-- load. dgkafka load starts each partition here (never at Kafka's committed offset), and each
-- batch moves it in the same transaction as the batch's rows.
CREATE TABLE IF NOT EXISTS ${offset_table} (
    "consumer_group"   text        NOT NULL,
    "topic"            text        NOT NULL,
    "partition_number" integer     NOT NULL,
    "committed_offset" bigint      NOT NULL,  -- next offset to load
    "latest_offset"    bigint,                -- partition end offset seen by the last batch
    "batch_start"      timestamptz,
    "batch_end"        timestamptz,
    PRIMARY KEY ("consumer_group", "topic", "partition_number")
);
