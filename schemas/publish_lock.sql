-- One publisher per outbox: two would send every row twice. A session advisory lock keyed by
-- 'dgkp' (high 32 bits) and the outbox table's oid; released when the session ends.
SELECT pg_try_advisory_lock(1684499312::bigint * 4294967296 + to_regclass($1)::oid::bigint);
