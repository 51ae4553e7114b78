-- Offset history: one row per committed batch and partition, and one per start or reset.
CREATE TABLE IF NOT EXISTS ${history_table} (
    "id"               bigserial   PRIMARY KEY,
    "consumer_group"   text        NOT NULL,
    "topic"            text        NOT NULL,
    "output_table"     text        NOT NULL,
    "partition_number" integer     NOT NULL,
    "event"            text        NOT NULL,  -- load | start-earliest | start-group-offset | reset-*
    "start_offset"     bigint      NOT NULL,  -- first offset of the batch
    "end_offset"       bigint      NOT NULL,  -- next offset to load after it
    "message_count"    bigint      NOT NULL,
    "latest_offset"    bigint,
    "batch_start"      timestamptz NOT NULL,
    "batch_end"        timestamptz NOT NULL
);
