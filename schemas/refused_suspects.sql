-- The numbers of the rows of [dgkafka_from, dgkafka_last] whose values break a rule the table
-- checks on each row alone (its CHECKs and NOT NULLs), found in one query, in order.
SELECT pg_catalog.array_agg("_dgkafka_n" ORDER BY "_dgkafka_n")
FROM (SELECT "_dgkafka_n", ${expressions}
      FROM (SELECT * FROM pg_temp."dgkafka_rows"
            WHERE "_dgkafka_n" >= "dgkafka_from" AND "_dgkafka_n" <= "dgkafka_last") AS "dgkafka_stage"
      WHERE (${filter}) AND ${inserted}) AS "dgkafka_row" ("_dgkafka_n", ${target_columns})
WHERE NOT (${rules})
