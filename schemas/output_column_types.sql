-- Each output column's type, and the type a mapping's result is cast to: the type without its
-- length or precision, so that the column's own still applies when the row is stored, as an
-- assignment (varchar(25) refuses a longer value; an explicit cast to it would cut it). The types
-- whose bare name carries a length get their unlimited kin: "character" is char(1), "bit" bit(1).
SELECT a."attname", a."atttypid"::bigint,
       CASE a."atttypid"
           WHEN 'pg_catalog.bpchar'::regtype THEN 'pg_catalog.bpchar'
           WHEN 'pg_catalog._bpchar'::regtype THEN 'pg_catalog.bpchar[]'
           WHEN 'pg_catalog.bit'::regtype THEN 'pg_catalog.varbit'
           WHEN 'pg_catalog._bit'::regtype THEN 'pg_catalog.varbit[]'
           ELSE pg_catalog.format_type(a."atttypid", NULL)
       END
FROM pg_catalog.pg_attribute AS a
WHERE a."attrelid" = to_regclass($1) AND a."attnum" > 0 AND NOT a."attisdropped";
