-- A new, empty shard of append-distributed table $1. Created in the batch's transaction: a batch
-- rolled back takes it with it.
SELECT pg_catalog.master_create_empty_shard($1::regclass::text);
