-- Is there a unique index (or primary key) on exactly these columns of the table? (merge mode)
SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_index AS i
    WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL
      AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
           FROM pg_catalog.pg_attribute AS a
           WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
          = (SELECT array_agg(c ORDER BY c) FROM unnest($2::text[]) AS c)
);
