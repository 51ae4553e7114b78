-- Rows whose messages Kafka acknowledged.
DELETE FROM ${write_table} WHERE "_id" = ANY($1::bigint[]);
