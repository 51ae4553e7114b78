-- The spec's output table (TPC-H customer).
CREATE TABLE IF NOT EXISTS customer (c_custkey integer,
                                     c_name varchar(25),
                                     c_address varchar(40),
                                     c_nationkey integer,
                                     c_phone varchar(15),
                                     c_acctbal double precision,
                                     c_mktsegment varchar(10),
                                     c_comment varchar(117));
