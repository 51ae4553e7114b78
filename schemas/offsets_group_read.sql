-- At start: the stored offsets of every partition, with the group's offset last taken from Kafka
-- (written by another tool), locked so that processes starting together take it once.
SELECT "partition_number", "committed_offset", "group_offset" FROM ${offset_table}
WHERE "consumer_group" = $1 AND "topic" = $2 AND "output_table" = $3
ORDER BY "partition_number"
FOR UPDATE;
