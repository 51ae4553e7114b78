-- Whether this database runs Citus (its catalogs exist only then).
SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE "extname" = 'citus');
