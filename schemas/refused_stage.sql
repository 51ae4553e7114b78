-- Rows [lo, hi) of a refused batch, each marked as it is read. No ORDER BY: a sort would read
-- (and mark) them all before the first one is inserted.
(SELECT * FROM pg_temp."dgkafka_rows"
 WHERE "_dgkafka_n" >= "dgkafka_lo" AND "_dgkafka_n" < "dgkafka_hi"
   AND pg_catalog.setval('pg_temp."dgkafka_mark"', "_dgkafka_n") >= 0
 OFFSET 0) AS "dgkafka_stage"
