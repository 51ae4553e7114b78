-- Column names of a table in their order; no rows when the table does not exist.
SELECT a."attname" FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped"
ORDER BY a."attnum";
