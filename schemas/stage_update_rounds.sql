-- mode = "update" with update_condition: the batch goes in rounds, round $1 holding the $1-th
-- message of each key in offset order, so the condition judges every message as if it came alone.
-- Returns the rows this round updated and how many rounds the batch needs.
WITH "ranked" AS (
    SELECT *, row_number() OVER (PARTITION BY ${match_columns} ORDER BY "__offset", "__partition") AS "__round"
    FROM (SELECT ${expressions}, "_offset", "_partition" FROM ${stage} WHERE (${filter}))
         AS "incoming" (${target_columns}, "__offset", "__partition")
), "applied" AS (
    UPDATE ${output_table} AS "current" SET ${update_assignments}
    FROM (SELECT * FROM "ranked" WHERE "__round" = $1) AS "excluded"
    WHERE ${match_condition} AND (${update_condition})
    RETURNING 1
)
SELECT (SELECT count(*) FROM "applied"), (SELECT coalesce(max("__round"), 0) FROM "ranked");
