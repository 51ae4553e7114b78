-- The history's index for reading a partition's last batches (check -history): made with the
-- table, or added by setup to one an earlier tool made without it. Only the table's
-- owner may add it, so setup runs this only when it is missing.
CREATE INDEX IF NOT EXISTS ${history_index}
    ON ${history_table} ("consumer_group", "topic", "partition_number", "id");
