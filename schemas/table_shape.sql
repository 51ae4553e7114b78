-- A table's columns with their types, and whether each is in its primary key (setup compares an
-- existing table with the one it would create).
SELECT a."attname", format_type(a."atttypid", a."atttypmod"),
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS c
               WHERE c."conrelid" = a."attrelid" AND c."contype" = 'p' AND a."attnum" = ANY (c."conkey"))
FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped"
ORDER BY a."attnum";
