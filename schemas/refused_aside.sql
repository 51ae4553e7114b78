-- The WHERE of a direct load's COPY while its batches hold rows that break the table's rules
-- (CHECK, NOT NULL; no BEFORE INSERT trigger can mend a row): each row is numbered as it is read,
-- and one that breaks a rule is set aside into the numbered table, not inserted. The good rows
-- go in with one COPY, the set-aside ones are tried alone after it (dgkafka_tried_aside).
pg_catalog.nextval('pg_temp."dgkafka_count"') > 0
AND (${rules}
     OR pg_temp."dgkafka_aside"(ROW(pg_catalog.currval('pg_temp."dgkafka_count"')::integer, ${row_columns})::pg_temp."dgkafka_rows"))
