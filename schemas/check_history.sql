-- dgkafka check --history N: the last N history rows of each partition, oldest first.
SELECT "partition_number", "event", "start_offset", "end_offset", "message_count", "batch_start", "batch_end"
FROM (
    SELECT h.*, row_number() OVER (PARTITION BY "partition_number" ORDER BY "id" DESC) AS "rn"
    FROM ${history_table} AS h
    WHERE "consumer_group" = $1 AND "topic" = $2 AND "output_table" = $4
) AS recent
WHERE "rn" <= $3
ORDER BY "partition_number", "id";
