-- Whether the history table ($1, quoted) has its index ($2, the index's name).
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i
               JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
               WHERE i.indrelid = to_regclass($1) AND c.relname = $2);
