-- Whether the history table ($1, quoted) has its index ($2, the index's name), and whether this
-- role may add it (only the table's owner may).
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i
               JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
               WHERE i.indrelid = to_regclass($1) AND c.relname = $2),
       pg_catalog.pg_has_role((SELECT relowner FROM pg_catalog.pg_class WHERE oid = to_regclass($1)), 'USAGE');
