-- Each output column's type, and the type a mapping's result is cast to: the same without its
-- modifier, so that the column's own length or precision still applies when the row is stored
-- (varchar(25) refuses a longer value instead of truncating it). bit keeps its length: a bare
-- "bit" means bit(1).
SELECT a."attname", a."atttypid"::bigint,
       format_type(a."atttypid", CASE WHEN a."atttypid" = 'bit'::regtype THEN a."atttypmod" END)
FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped";
