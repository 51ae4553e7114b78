-- The session holding the outbox's publish lock (see publish_lock.sql), to name it.
SELECT a."pid", coalesce(host(a."client_addr"), 'a local socket'), a."application_name",
       to_char(a."backend_start" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM pg_catalog.pg_locks AS l JOIN pg_catalog.pg_stat_activity AS a ON a."pid" = l."pid"
WHERE l."locktype" = 'advisory' AND l."granted" AND l."classid" = 1684499312::oid
  AND l."objid" = to_regclass($1)::oid AND l."objsubid" = 1;
