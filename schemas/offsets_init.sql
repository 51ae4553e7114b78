-- A partition seen for the first time starts at $4 (its earliest offset); existing rows stay.
INSERT INTO ${offset_table} ("consumer_group", "topic", "output_table", "partition_number", "committed_offset")
SELECT $1, $2, $5, p, o FROM unnest($3::integer[], $4::bigint[]) AS u(p, o)
ON CONFLICT ("consumer_group", "topic", "output_table", "partition_number") DO NOTHING;
