SELECT concat_ws('|', id, customer, amount, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), status,
                 ship_to->>'city', jsonb_array_length(items), coalesce(coupon, '-'))
FROM orders
UNION ALL
SELECT 'rejected: ' || error FROM orders_rejects
ORDER BY 1;
