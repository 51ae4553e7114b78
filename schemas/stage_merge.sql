-- mode = "merge": insert new keys, update existing ones. Within a batch the message with the
-- highest offset wins for each key, so no row is affected twice.
INSERT INTO ${output_table} AS "current" (${target_columns})
SELECT ${target_columns} FROM (
    SELECT DISTINCT ON (${match_columns}) *
    FROM (SELECT ${expressions}, "_offset", "_partition" FROM ${stage} WHERE (${filter}))
         AS "incoming" (${target_columns}, "__offset", "__partition")
    ORDER BY ${match_columns}, "__offset" DESC, "__partition" DESC
) AS "latest"
ON CONFLICT (${match_columns}) DO UPDATE SET ${update_assignments}
WHERE (${update_condition});
