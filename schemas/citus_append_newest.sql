-- The newest shard of append-distributed table $1, the one batches append to (NULL: none yet).
SELECT pg_catalog.max("shardid") FROM pg_catalog.pg_dist_shard WHERE "logicalrelid" = $1::regclass;
