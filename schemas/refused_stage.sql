-- Rows [lo, hi) of a refused batch, each marked as it is read when ${mark} is the mark's setval
-- (else true). No ORDER BY: a sort would read (and mark) them all before the first one is inserted.
(SELECT * FROM pg_temp."dgkafka_rows"
 WHERE "_dgkafka_n" >= "dgkafka_lo" AND "_dgkafka_n" < "dgkafka_hi"
   AND ${mark}
 OFFSET 0) AS "dgkafka_stage"
