-- The spec's UDF and target table.
CREATE OR REPLACE FUNCTION udf_parse_json(value json)
  RETURNS TABLE (x int, y text)
LANGUAGE plpgsql AS $$
  BEGIN
     RETURN query
     SELECT ((value->>'customer_id')::int), ((value->>'some_intfield')::text);
  END $$;

CREATE TABLE t1map (cust_id int, field2 decimal(7,2), j1 int, j2 text);
