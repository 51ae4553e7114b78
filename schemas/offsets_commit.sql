-- Moves the offsets of a batch's partitions and records the batch in the history.
-- $3.. are parallel arrays: partition, first offset, next offset, message count, latest offset;
-- $10 is the output table (part of the resume key).
WITH "history" AS (
    INSERT INTO ${history_table} ("consumer_group", "topic", "output_table", "partition_number", "event",
                                  "start_offset", "end_offset", "message_count", "latest_offset", "batch_start",
                                  "batch_end")
    SELECT $1, $2, $10, p, $8, s, e, n, NULLIF(l, -1), to_timestamp($9::double precision), clock_timestamp()
    FROM unnest($3::integer[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) AS u(p, s, e, n, l)
)
INSERT INTO ${offset_table} AS o ("consumer_group", "topic", "output_table", "partition_number", "committed_offset",
                                  "latest_offset", "batch_start", "batch_end")
SELECT $1, $2, $10, p, e, NULLIF(l, -1), to_timestamp($9::double precision), clock_timestamp()
FROM unnest($3::integer[], $5::bigint[], $7::bigint[]) AS u(p, e, l)
ON CONFLICT ("consumer_group", "topic", "output_table", "partition_number") DO UPDATE
SET "committed_offset" = EXCLUDED."committed_offset", "latest_offset" = EXCLUDED."latest_offset",
    "batch_start" = EXCLUDED."batch_start", "batch_end" = EXCLUDED."batch_end";
