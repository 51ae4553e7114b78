-- The next rows to publish, oldest first, each column as text.
SELECT "_id", ${text_columns} FROM ${write_table} ORDER BY "_id" LIMIT $1;
