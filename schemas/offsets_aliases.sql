-- Spellings of this job's output table ($3, as the config writes it; $4 quoted; $6 its name
-- without the schema) under which offsets of the same consumer group and topic are stored in
-- ${offset_table}, other than $3 itself when $5 (it is the job's own offset table): e.g. "t" and
-- "public.t", resuming under a new spelling would start over. A stored name without a schema that
-- names no table under this session's search_path (written under another one) counts when its
-- name is this table's: it may have meant this table. Stored names are schema.name, literal:
-- quoted part by part. "resolves": the stored name names a table here.
SELECT DISTINCT o."output_table", r."stored_table" IS NOT NULL AS "resolves"
FROM ${offset_table} AS o
CROSS JOIN LATERAL (
    SELECT to_regclass(CASE WHEN strpos(o."output_table", '.') > 0
                            THEN quote_ident(split_part(o."output_table", '.', 1)) || '.' ||
                                 quote_ident(substr(o."output_table", strpos(o."output_table", '.') + 1))
                            ELSE quote_ident(o."output_table") END) AS "stored_table") AS r
WHERE o."consumer_group" = $1 AND o."topic" = $2 AND (o."output_table" <> $3 OR NOT $5)
  AND (r."stored_table" = to_regclass($4)
       OR (r."stored_table" IS NULL AND strpos(o."output_table", '.') = 0 AND o."output_table" = $6))
ORDER BY 1;
