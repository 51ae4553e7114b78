-- Before each COPY that sets rows aside: its rows are numbered from 1.
SELECT pg_catalog.setval('pg_temp."dgkafka_count"', 1, false);
