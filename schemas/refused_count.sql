-- How many rows of the batch its COPY set aside.
SELECT count(*) FROM pg_temp."dgkafka_rows";
