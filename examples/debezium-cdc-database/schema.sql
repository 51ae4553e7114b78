-- Debezium's inventory database, one table per source table; each table's topic is
-- dbserver1.inventory.<table>.
CREATE TABLE customers (id integer PRIMARY KEY, first_name text, email text);
CREATE TABLE products (id integer PRIMARY KEY, name text, weight double precision);
CREATE TABLE orders (id integer PRIMARY KEY, purchaser integer, product_id integer, quantity integer);
