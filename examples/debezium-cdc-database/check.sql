SELECT (SELECT string_agg(id || ':' || email, ',' ORDER BY id) FROM customers) AS customers,
       (SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM products) AS products,
       (SELECT string_agg(id || ':' || quantity, ',' ORDER BY id) FROM orders) AS orders,
       (SELECT count(*) FROM inventory_rejects) AS rejected,
       (SELECT count(DISTINCT topic) FROM kafka_offset) AS topics;
