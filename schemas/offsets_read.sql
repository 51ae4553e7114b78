-- Stored offsets of some partitions; FOR UPDATE when a batch fences them (see offsets_lock).
SELECT "partition_number", "committed_offset" FROM ${offset_table}
WHERE "consumer_group" = $1 AND "topic" = $2 AND "partition_number" = ANY($3::integer[]) AND "output_table" = $4
ORDER BY "partition_number";
