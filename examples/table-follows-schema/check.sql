SELECT concat_ws('|', id, customer, amount, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                 coalesce(coupon, '-'))
FROM orders
UNION ALL
SELECT 'column: ' || column_name || ' ' || data_type || ' ' || is_nullable
FROM information_schema.columns WHERE table_name = 'orders'
UNION ALL
SELECT 'key: ' || string_agg(a.attname, ', ')
FROM pg_index AS i JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = 'orders'::regclass AND i.indisprimary
UNION ALL
SELECT 'history: ' || regexp_replace(event, 'schema id \d+ \(subject [^)]*\)', 'the registry')
FROM kafka_offset_summary WHERE partition_number = -1
ORDER BY 1;
