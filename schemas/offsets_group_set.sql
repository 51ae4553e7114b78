-- Remembers ($4 >= 0) or forgets ($4 = -1) the group's offset taken from Kafka, per partition.
UPDATE ${offset_table} AS o SET "group_offset" = NULLIF(u.g, -1)
FROM unnest($3::integer[], $4::bigint[]) AS u(p, g)
WHERE o."consumer_group" = $1 AND o."topic" = $2 AND o."output_table" = $5 AND o."partition_number" = u.p;
