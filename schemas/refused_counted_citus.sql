-- A move of rows in the walk of a refused batch into a Citus table, setting "moved" to the rows it
-- wrote. With RETURNING, Citus runs an INSERT ... SELECT as statements on the shards, which report
-- a refused row's own SQLSTATE; without it, as a COPY, which reports every shard's error as XX000.
WITH "dgkafka_moved" AS (
    ${move}
    RETURNING 1
)
SELECT pg_catalog.count(*) INTO "moved" FROM "dgkafka_moved"
