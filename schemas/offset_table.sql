-- Current offsets: one row per consumer group, topic, output table and partition (the spec's
-- resume key) holding the next offset to load. dgkafka load starts each partition here, and each
-- batch moves it in the same transaction as the batch's rows.
CREATE TABLE IF NOT EXISTS ${offset_table} (
    "consumer_group"   text        NOT NULL,
    "topic"            text        NOT NULL,
    "output_table"     text        NOT NULL,  -- kafka.output.output_table as written in the config
    "partition_number" integer     NOT NULL,
    "committed_offset" bigint      NOT NULL,  -- next offset to load
    "latest_offset"    bigint,                -- partition end offset seen by the last batch
    "batch_start"      timestamptz,
    "batch_end"        timestamptz,
    "group_offset"     bigint,                -- the group's offset in Kafka, written by another tool, last taken
    PRIMARY KEY ("consumer_group", "topic", "output_table", "partition_number")
);
