-- Per site, from the rollup: requests, successes, errors, requests per country; and whether the
-- guide's dashboard query over the raw requests (its last 5 minutes) counts the same.
WITH dashboard AS (
  SELECT site_id, date_trunc('minute', ingest_time) AS minute, COUNT(1) AS request_count,
         SUM(CASE WHEN (status_code BETWEEN 200 AND 299) THEN 1 ELSE 0 END) AS success_count,
         SUM(CASE WHEN (status_code BETWEEN 200 AND 299) THEN 0 ELSE 1 END) AS error_count,
         SUM(response_time_msec) / COUNT(1) AS average_response_time_msec
  FROM http_request
  WHERE date_trunc('minute', ingest_time) > now() - '5 minutes'::interval
  GROUP BY site_id, minute
), countries AS (
  SELECT site_id, jsonb_object_agg(country, n)::text AS per_country
  FROM (SELECT site_id, key AS country, sum(value::int) AS n
        FROM http_request_1min, jsonb_each_text(country_counters) GROUP BY 1, 2) c
  GROUP BY site_id
)
SELECT r.site_id, sum(r.request_count), sum(r.success_count), sum(r.error_count), c.per_country,
       (SELECT sum(request_count) FROM dashboard d WHERE d.site_id = r.site_id) = sum(r.request_count)
       AND (SELECT sum(error_count) FROM dashboard d WHERE d.site_id = r.site_id) = sum(r.error_count) AS dashboard_agrees
FROM http_request_1min r JOIN countries c USING (site_id)
GROUP BY r.site_id, c.per_country
ORDER BY r.site_id;
