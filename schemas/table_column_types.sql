-- Columns a load can write, with their types, in their order; no rows when the table does not
-- exist. Left out: generated columns, and those the database numbers itself (identity, serial:
-- a sequence owned by the column).
SELECT a."attname", pg_catalog.format_type(a."atttypid", a."atttypmod") FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped" AND a."attgenerated" = ''
  AND a."attidentity" = ''
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_class AS s ON s."oid" = d."objid"
                  WHERE d."classid" = 'pg_catalog.pg_class'::regclass AND d."refobjid" = a."attrelid"
                    AND d."refobjsubid" = a."attnum" AND s."relkind" = 'S')
ORDER BY a."attnum";
