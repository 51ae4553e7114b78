-- Locks a batch's partitions: a loader commits only while the stored offsets are still the ones
-- it started from, so a loader that lost a partition can never commit it twice.
SELECT "partition_number", "committed_offset" FROM ${offset_table}
WHERE "consumer_group" = $1 AND "topic" = $2 AND "partition_number" = ANY($3::integer[]) AND "output_table" = $4
ORDER BY "partition_number"
FOR UPDATE;
