-- The staged messages no target of the job takes (none of their filters is true): where each is.
SELECT "_partition", "_offset" FROM pg_temp."dgkafka_stage" WHERE NOT (${taken});
