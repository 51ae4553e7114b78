-- Empties a loader's staging table within a batch, when the batch is written in parts.
DELETE FROM pg_temp."dgkafka_stage";
