-- The guide's table, with columns for the nested values. On Citus:
--   SELECT create_distributed_table('kafka_test', 'a');
CREATE TABLE kafka_test (a int, b int, identity bigint, longitude float8, acceleration0 float8, location jsonb);
