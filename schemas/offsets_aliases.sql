-- Spellings of this job's output table ($3, as the config writes it; $4 quoted) under which offsets
-- of the same consumer group and topic are stored in ${offset_table}, other than $3 itself when $5
-- (it is the job's own offset table): e.g. "t" and "public.t", resuming under a new spelling would
-- start over. Stored names are schema.name, literal: quoted part by part.
SELECT DISTINCT o."output_table"
FROM ${offset_table} AS o
WHERE o."consumer_group" = $1 AND o."topic" = $2 AND (o."output_table" <> $3 OR NOT $5)
  AND to_regclass(CASE WHEN strpos(o."output_table", '.') > 0
                       THEN quote_ident(split_part(o."output_table", '.', 1)) || '.' ||
                            quote_ident(substr(o."output_table", strpos(o."output_table", '.') + 1))
                       ELSE quote_ident(o."output_table") END) = to_regclass($4)
ORDER BY 1;
