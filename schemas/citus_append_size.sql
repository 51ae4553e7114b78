-- The bytes shard $1 holds on its workers (asks each worker: run now and then, not per batch).
SELECT COALESCE(pg_catalog.max("size"), 0) FROM pg_catalog.citus_shard_sizes() WHERE "shard_id" = $1;
