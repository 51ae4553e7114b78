-- The topics a consumer group has stored offsets for (a job of several topics).
SELECT DISTINCT "topic" FROM ${offset_table} WHERE "consumer_group" = $1 ORDER BY "topic";
