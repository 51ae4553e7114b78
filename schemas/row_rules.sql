-- What table $1 demands of each row on its own, as SQL over its columns: its CHECK constraints
-- and NOT NULL columns, those reading only the columns $2 (the ones a load writes; the others take
-- their defaults). A refused batch's walk looks for the rows breaking them first (refused_create).
SELECT pg_catalog.pg_get_expr(c."conbin", c."conrelid")
FROM pg_catalog.pg_constraint AS c
WHERE c."conrelid" = $1::regclass AND c."contype" = 'c'
  AND NOT (0 = ANY (c."conkey"))  -- a whole-row reference (f(t)) names the table, which the rules' query has not
  AND ARRAY(SELECT a."attname"::text FROM pg_catalog.pg_attribute AS a
            WHERE a."attrelid" = c."conrelid" AND a."attnum" = ANY (c."conkey")) <@ $2::text[]
UNION ALL
SELECT pg_catalog.quote_ident(a."attname") || ' IS NOT NULL'
FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = $1::regclass AND a."attnotnull" AND a."attnum" > 0 AND NOT a."attisdropped"
  AND a."attname"::text = ANY ($2::text[]);
