SELECT count(*) AS customers, round(sum(c_acctbal)::numeric, 2) AS total_balance, string_agg(c_mktsegment, ',' ORDER BY c_custkey) AS segments
FROM customer;
