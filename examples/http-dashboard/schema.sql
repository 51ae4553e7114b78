-- The real-time dashboard tables of the Citus guide (003), on Citus also:
--   SELECT create_distributed_table('http_request', 'site_id');
--   SELECT create_distributed_table('http_request_1min', 'site_id');
CREATE TABLE http_request (
  site_id INT,
  ingest_time TIMESTAMPTZ DEFAULT now(),
  url TEXT,
  request_country TEXT,
  ip_address TEXT,
  status_code INT,
  response_time_msec INT
);
CREATE TABLE http_request_1min (
  site_id INT,
  ingest_time TIMESTAMPTZ, -- which minute this row represents
  error_count INT,
  success_count INT,
  request_count INT,
  average_response_time_msec INT,
  country_counters JSONB NOT NULL DEFAULT '{}', -- requests per country in that minute
  CHECK (request_count = error_count + success_count),
  CHECK (ingest_time = date_trunc('minute', ingest_time)),
  PRIMARY KEY (site_id, ingest_time)
);
CREATE TABLE latest_rollup (
  minute timestamptz PRIMARY KEY,
  CHECK (minute = date_trunc('minute', minute))
);
INSERT INTO latest_rollup VALUES ('10-10-1901');

-- The guide's rollup, made safe to run after every batch: it recomputes every minute from the
-- last one it rolled up on (requests keep arriving in the current minute), as upserts.
CREATE OR REPLACE FUNCTION rollup_http_request() RETURNS void AS $$
DECLARE
  from_minute timestamptz := minute FROM latest_rollup;
  -- Requests not visible yet belong to transactions in flight (a loader's batch), stamped with
  -- their start: the next rollup must start no later than the oldest of them.
  in_flight timestamptz := min(xact_start) FROM pg_stat_activity
                           WHERE datname = current_database() AND pid <> pg_backend_pid();
  to_minute timestamptz;
BEGIN
  WITH per_country AS (
    SELECT site_id, date_trunc('minute', ingest_time) AS minute, coalesce(request_country, '?') AS country,
           count(*) AS requests,
           count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS successes,
           sum(response_time_msec) AS response_time
    FROM http_request
    WHERE ingest_time >= from_minute
    GROUP BY 1, 2, 3
  )
  INSERT INTO http_request_1min (site_id, ingest_time, request_count, success_count, error_count,
                                 average_response_time_msec, country_counters)
  SELECT site_id, minute, sum(requests), sum(successes), sum(requests) - sum(successes),
         sum(response_time)::bigint / sum(requests)::bigint, jsonb_object_agg(country, requests)
  FROM per_country
  GROUP BY site_id, minute
  ON CONFLICT (site_id, ingest_time) DO UPDATE
  SET request_count = EXCLUDED.request_count, success_count = EXCLUDED.success_count,
      error_count = EXCLUDED.error_count, average_response_time_msec = EXCLUDED.average_response_time_msec,
      country_counters = EXCLUDED.country_counters;

  to_minute := date_trunc('minute', least((SELECT max(ingest_time) FROM http_request), in_flight));
  UPDATE latest_rollup SET minute = coalesce(to_minute, minute);
END;
$$ LANGUAGE plpgsql;
