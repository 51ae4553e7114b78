-- A type's name as format_type spells it ("double precision" for float8), NULL when unknown.
SELECT pg_catalog.format_type(pg_catalog.to_regtype($1), NULL);
