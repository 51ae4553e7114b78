-- The real-time dashboard of the Citus guide (003) on a Citus cluster: schema.sql's tables
-- distributed by site_id and co-located (a site's requests and its rollup rows share a worker, so
-- the rollup runs on the workers), and the guide's distinct IP addresses per minute in a
-- HyperLogLog column. Needs the hll extension on every node (CREATE EXTENSION hll on the
-- coordinator and each worker; Debian: postgresql-15-hll) before this file.
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
  distinct_ip_addresses hll NOT NULL DEFAULT hll_empty(), -- read with hll_cardinality()
  CHECK (request_count = error_count + success_count),
  CHECK (ingest_time = date_trunc('minute', ingest_time)),
  PRIMARY KEY (site_id, ingest_time)
);
SELECT create_distributed_table('http_request', 'site_id');
SELECT create_distributed_table('http_request_1min', 'site_id', colocate_with => 'http_request');

-- On the coordinator only: one row, read and written by the rollup.
CREATE TABLE latest_rollup (
  minute timestamptz PRIMARY KEY,
  CHECK (minute = date_trunc('minute', minute))
);
INSERT INTO latest_rollup VALUES ('10-10-1901');

-- schema.sql's rollup (recomputes every minute from the last one rolled up, as upserts), plus
-- the distinct IP addresses: each (site, minute, country) group's HLL, united per minute.
CREATE OR REPLACE FUNCTION rollup_http_request() RETURNS void AS $$
DECLARE
  from_minute timestamptz := minute FROM latest_rollup;
  -- Requests not visible yet belong to transactions in flight (a loader's batch), stamped with
  -- their start: the next rollup must start no later than the oldest of them.
  in_flight timestamptz := min(xact_start) FROM pg_stat_activity
                           WHERE datname = current_database() AND pid <> pg_backend_pid();
  to_minute timestamptz;
BEGIN
  INSERT INTO http_request_1min (site_id, ingest_time, request_count, success_count, error_count,
                                 average_response_time_msec, country_counters, distinct_ip_addresses)
  SELECT site_id, minute, sum(requests), sum(successes), sum(requests) - sum(successes),
         sum(response_time)::bigint / sum(requests)::bigint, jsonb_object_agg(country, requests), hll_union_agg(ips)
  FROM (
    SELECT site_id, date_trunc('minute', ingest_time) AS minute, coalesce(request_country, '?') AS country,
           count(*) AS requests,
           count(*) FILTER (WHERE status_code BETWEEN 200 AND 299) AS successes,
           sum(response_time_msec) AS response_time,
           hll_add_agg(hll_hash_text(ip_address::text)) AS ips
    FROM http_request
    WHERE ingest_time >= from_minute
    GROUP BY 1, 2, 3
  ) per_country
  GROUP BY site_id, minute
  ON CONFLICT (site_id, ingest_time) DO UPDATE
  SET request_count = EXCLUDED.request_count, success_count = EXCLUDED.success_count,
      error_count = EXCLUDED.error_count, average_response_time_msec = EXCLUDED.average_response_time_msec,
      country_counters = EXCLUDED.country_counters, distinct_ip_addresses = EXCLUDED.distinct_ip_addresses;

  to_minute := date_trunc('minute', least((SELECT max(ingest_time) FROM http_request), in_flight));
  UPDATE latest_rollup SET minute = coalesce(to_minute, minute);
END;
$$ LANGUAGE plpgsql;
