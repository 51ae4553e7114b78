-- The slow path of a load without staging: the loader's own numbered copy of a refused batch's
-- rows, typed like the output columns but without constraints. Sequences are not rolled back,
-- so after a refused statement they tell at which row it was: no server message is read.
CREATE TEMPORARY SEQUENCE IF NOT EXISTS "dgkafka_line" MINVALUE 0;
CREATE TEMPORARY SEQUENCE IF NOT EXISTS "dgkafka_mark" MINVALUE 0;
CREATE TEMPORARY TABLE IF NOT EXISTS "dgkafka_isolate" ON COMMIT DELETE ROWS AS
    SELECT ${copy_columns} FROM ${copy_table} WITH NO DATA;
ALTER TABLE pg_temp."dgkafka_isolate"
    ADD COLUMN IF NOT EXISTS "dgkafka_row" bigint DEFAULT nextval('pg_temp."dgkafka_line"');
