-- After a refused COPY into the isolation table: the number of the row it could not parse ($1: the first).
SELECT CASE WHEN is_called THEN last_value + 1 ELSE $1 END FROM pg_temp."dgkafka_line";
