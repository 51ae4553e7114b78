-- Staging table: the input columns as declared in kafka.input.columns plus each message's Kafka
-- metadata. Each loader stages its batches in a temporary copy of it, and mappings and the
-- filter are evaluated over its columns.
CREATE TABLE IF NOT EXISTS ${read_table} (
    ${column_definitions},
    "_key"       text,
    "_partition" integer,
    "_offset"    bigint,
    "_timestamp" timestamptz
);
