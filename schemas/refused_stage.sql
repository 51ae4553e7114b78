(SELECT * FROM pg_temp."dgkafka_rows"
 WHERE "_dgkafka_n" >= "dgkafka_lo" AND "_dgkafka_n" < "dgkafka_hi"
   AND pg_catalog.setval('pg_temp."dgkafka_mark"', "_dgkafka_n") >= 0
 OFFSET 0) AS "dgkafka_stage"
