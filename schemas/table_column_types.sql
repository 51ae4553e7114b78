-- Columns a load can write, with their types, in their order; no rows when the table does not exist.
SELECT a."attname", pg_catalog.format_type(a."atttypid", a."atttypmod") FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped" AND a."attgenerated" = ''
ORDER BY a."attnum";
