-- The next row COPYed into the isolation table gets number $1 (COPY numbers each row once it parsed).
SELECT setval('pg_temp."dgkafka_line"', $1, false);
