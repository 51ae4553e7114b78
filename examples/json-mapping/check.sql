SELECT string_agg(concat_ws(' ', cust_id, field2, j1, j2), ', ' ORDER BY cust_id) FROM t1map;
