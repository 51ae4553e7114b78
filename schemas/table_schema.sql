-- The schema of the table a name ($1, quoted) resolves to through search_path; no row when none.
SELECT n.nspname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1);
