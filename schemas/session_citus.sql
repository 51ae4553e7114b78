-- A loader's session writing a Citus table: each setting only where nobody chose it (PGOPTIONS,
-- ALTER ROLE or DATABASE ... SET, postgresql.conf), so a user's own value wins.
-- max_adaptive_executor_pool_size = 1: a COPY of a batch opens one connection per worker, not
-- one per shard placement it touches (~190 ms a batch of 1,000 rows into 32 shards otherwise).
SELECT pg_catalog.set_config(d."name", d."value", false)
FROM (VALUES ('citus.max_adaptive_executor_pool_size', '1')) AS d ("name", "value")
JOIN pg_catalog.pg_settings AS s ON s."name" = d."name"
WHERE s."source" = 'default';
