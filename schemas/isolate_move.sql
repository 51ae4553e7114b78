-- Moves the isolated rows numbered $1 to $2 - 1 into the output table, marking each as it goes:
-- a row is marked right before it is inserted, so a refused INSERT was at the last row marked.
INSERT INTO ${copy_table} (${copy_columns})
SELECT ${copy_columns} FROM pg_temp."dgkafka_isolate"
WHERE "dgkafka_row" >= $1 AND "dgkafka_row" < $2 AND setval('pg_temp."dgkafka_mark"', "dgkafka_row") >= 0;
