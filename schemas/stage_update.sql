-- mode = "update": update the rows whose keys match, insert nothing. Within a batch the message
-- with the highest offset wins for each key.
UPDATE ${output_table} AS "current" SET ${update_assignments}
FROM (
    SELECT DISTINCT ON (${match_columns}) *
    FROM (SELECT ${expressions}, "_offset", "_partition" FROM ${stage} WHERE (${filter}))
         AS "incoming" (${target_columns}, "__offset", "__partition")
    ORDER BY ${match_columns}, "__offset" DESC, "__partition" DESC
) AS "excluded"
WHERE ${match_condition} AND (${update_condition});
