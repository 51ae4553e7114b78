-- Each loader's private staging table, shaped like the job's staging table, plus a text column
-- for each JSON member dgkafka reads itself (JsonPushdown). Temporary, so staged rows cost no WAL;
-- emptied at every commit.
CREATE TEMPORARY TABLE IF NOT EXISTS "dgkafka_stage" (LIKE ${read_table}${stage_extra_columns}) ON COMMIT DELETE ROWS;
