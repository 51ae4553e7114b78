-- Before a move: no row marked yet. (Also what opens libpqxx's savepoint: it waits for a statement
-- without parameters.)
SELECT setval('pg_temp."dgkafka_mark"', 0, false);
