-- Whether every Citus node reaches every other now: asked before a row whose COPY Citus refused
-- with XX000 (a shard's refusal, or a node lost) is rejected. A node still down fails this query
-- itself, with a connection error, and the batch is tried again.
SELECT COALESCE(pg_catalog.bool_and("result"), true) FROM pg_catalog.citus_check_cluster_node_health();
