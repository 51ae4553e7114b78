-- After a refused move: the row it was at (-1: none marked).
SELECT CASE WHEN is_called THEN last_value ELSE -1 END FROM pg_temp."dgkafka_mark";
