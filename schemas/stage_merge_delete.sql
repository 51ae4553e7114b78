-- mode = "merge" with deletes (kafka.input.envelope = "debezium", kafka.output.delete_on_tombstone):
-- each staged row is an upsert ('u'), a delete ('d', its image holding the key) or skipped ('s', a
-- tombstone). Within a batch the latest event per key wins, deletes included.
WITH "latest" AS (
    SELECT DISTINCT ON (${match_columns}) *
    FROM (SELECT ${expressions}, "_offset", "_partition", "_dgkafka_op" FROM ${stage}
          WHERE "_dgkafka_op" <> 's' AND (${filter}))
         AS "incoming" (${target_columns}, "__offset", "__partition", "__op")
    ORDER BY ${match_columns}, "__offset" DESC, "__partition" DESC
), "deleted" AS (
    DELETE FROM ${output_table} AS "current" USING "latest" AS "excluded"
    WHERE "excluded"."__op" = 'd' AND ${match_condition}
)
INSERT INTO ${output_table} AS "current" (${target_columns})
SELECT ${target_columns} FROM "latest" WHERE "__op" = 'u'
ON CONFLICT (${match_columns}) DO UPDATE SET ${update_assignments}
WHERE (${update_condition});
