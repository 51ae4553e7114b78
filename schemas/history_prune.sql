-- One step of pruning the offset history: of each partition in $4, its oldest `load` rows past the
-- retention, at most $7 a partition: rows of batches that ended more than $5 days ago (0: no age
-- limit) and rows past the partition's $6 newest (0: no count limit). Other events (starts,
-- resets, retention gaps) stay: they record what happened to the offsets.
-- $1 consumer group, $2 topic, $3 output table (the resume key); reads through the history's index.
WITH "doomed" AS (
    SELECT d."id"
    FROM unnest($4::integer[]) AS p("partition_number")
    CROSS JOIN LATERAL (
        SELECT h."id"
        FROM ${history_table} AS h
        WHERE h."consumer_group" = $1 AND h."topic" = $2 AND h."partition_number" = p."partition_number"
          AND h."output_table" = $3 AND h."event" = 'load'
          AND (($5::double precision > 0 AND h."batch_end" < clock_timestamp() - $5 * interval '1 day')
               OR ($6::bigint > 0 AND h."id" <= (
                   SELECT n."id"
                   FROM ${history_table} AS n
                   WHERE n."consumer_group" = $1 AND n."topic" = $2 AND n."partition_number" = p."partition_number"
                     AND n."output_table" = $3 AND n."event" = 'load'
                   ORDER BY n."id" DESC
                   OFFSET $6::bigint LIMIT 1)))
        ORDER BY h."id"
        LIMIT $7::bigint
    ) AS d
)
-- By primary key (an array, not a join, which could read the whole table).
DELETE FROM ${history_table}
WHERE "id" = ANY (ARRAY(SELECT "id" FROM "doomed"));
