-- A time as the database reads it (any ISO 8601 form; without a zone, its TimeZone), in epoch ms.
SELECT (extract(epoch FROM $1::timestamptz) * 1000)::bigint;
