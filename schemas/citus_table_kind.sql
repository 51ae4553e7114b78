-- What Citus makes of table $1: its distribution method ('h' hash, 'a' append, 'r' range, 'n'
-- none: a reference table when replicated to every node, else a Citus local table), its
-- distribution column, and its shards and the nodes holding them. No row: a plain table.
SELECT p."partmethod"::text,
       p."repmodel"::text,
       CASE WHEN p."partmethod" IN ('h', 'a', 'r')
            THEN pg_catalog.column_to_column_name(p."logicalrelid", p."partkey") END,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_shard AS s WHERE s."logicalrelid" = p."logicalrelid"),
       (SELECT pg_catalog.count(DISTINCT pl."groupid")
        FROM pg_catalog.pg_dist_shard AS s
        JOIN pg_catalog.pg_dist_placement AS pl ON pl."shardid" = s."shardid"
        WHERE s."logicalrelid" = p."logicalrelid")
FROM pg_catalog.pg_dist_partition AS p
WHERE p."logicalrelid" = $1::regclass;
