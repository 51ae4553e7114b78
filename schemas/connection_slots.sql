-- Connections this role can still open: max_connections less the reserved ones (unless
-- superuser) and the client connections in use, this one excepted (it closes before loading).
SELECT current_setting('max_connections')::int
       - CASE WHEN r.rolsuper THEN 0
              ELSE current_setting('superuser_reserved_connections')::int
                   + coalesce(current_setting('reserved_connections', true)::int, 0) END
       - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int + 1
FROM pg_roles r
WHERE r.rolname = current_user
