-- What the load did to the output table (create-table, add-column), recorded in the offset
-- history beside the batches: partition -1, offsets 0, the change in "event".
INSERT INTO ${history_table} ("consumer_group", "topic", "output_table", "partition_number", "event", "start_offset",
                              "end_offset", "message_count", "latest_offset", "batch_start", "batch_end")
VALUES ($1, $2, $3, -1, $4, 0, 0, 0, NULL, clock_timestamp(), clock_timestamp());
