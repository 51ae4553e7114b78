-- A staged batch through the mappings and the filter, for a COPY ... TO STDOUT: the rows of an
-- append-distributed Citus table, which takes no INSERT ... SELECT, only a COPY naming its shard.
(SELECT ${expressions} FROM ${stage} WHERE (${filter}))
