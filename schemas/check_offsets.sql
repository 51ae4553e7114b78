-- dgkafka check: the recorded offsets of one group and topic.
SELECT "partition_number", "committed_offset", "latest_offset", "batch_start", "batch_end"
FROM ${offset_table}
WHERE "consumer_group" = $1 AND "topic" = $2
ORDER BY "partition_number";
