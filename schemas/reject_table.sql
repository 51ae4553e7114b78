-- Rejected messages: each one that could not be loaded, with why, committed in the same
-- transaction as its batch's good rows and offsets.
CREATE TABLE IF NOT EXISTS ${reject_table} (
    "id"               bigserial   PRIMARY KEY,
    "consumer_group"   text        NOT NULL,
    "topic"            text        NOT NULL,
    "partition_number" integer     NOT NULL,
    "offset"           bigint      NOT NULL,
    "key"              bytea,
    "value"            bytea,
    "error"            text        NOT NULL,
    "sqlstate"         text,
    "rejected_at"      timestamptz NOT NULL DEFAULT now()
);
