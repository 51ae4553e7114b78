-- Tables with the name of this job's offset table ($2) in schemas other than the one it resolves
-- to ($1) that have an offset table's key columns: under another search_path this job's offsets
-- may have been stored there. Other sessions' temporary tables cannot be read.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table"
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relname = $2 AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
  AND c.oid IS DISTINCT FROM to_regclass($1)
  AND (SELECT count(*) FROM pg_attribute AS a
       WHERE a.attrelid = c.oid AND NOT a.attisdropped
         AND a.attname IN ('consumer_group', 'topic', 'output_table')) = 3
  AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 1;
