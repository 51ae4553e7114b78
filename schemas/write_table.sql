-- The outbox that `dgkafka publish` sends to the topic (the spec's ext_write_table): the input
-- columns (jdata for json, bdata for binary), then "_id", so that the spec's positional
-- INSERT INTO ext_write_table VALUES (col0, ..., colN) still works. A row is deleted only
-- after Kafka acknowledged its message.
CREATE TABLE IF NOT EXISTS ${write_table} (
    ${input_column_definitions},
    "_id" bigserial PRIMARY KEY
);
