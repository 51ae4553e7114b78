-- dgkafka check: the recorded offsets of one group, topic and output table.
SELECT "partition_number", "committed_offset", "latest_offset", "batch_start", "batch_end", "group_offset"
FROM ${offset_table}
WHERE "consumer_group" = $1 AND "topic" = $2 AND "output_table" = $3
ORDER BY "partition_number";
