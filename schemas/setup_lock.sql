-- One setup at a time on this database: two creating the same names at once would collide in
-- the catalog (23505 on pg_type). Keyed by 'dgks'; released at commit or rollback.
SELECT pg_advisory_xact_lock(1684499315);
