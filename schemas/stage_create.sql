-- Each loader's private staging table, shaped like the job's staging table. Temporary, so
-- staged rows cost no WAL; emptied at every commit.
CREATE TEMPORARY TABLE IF NOT EXISTS "dgkafka_stage" (LIKE ${read_table}) ON COMMIT DELETE ROWS;
