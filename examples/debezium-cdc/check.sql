SELECT id, first_name, last_name, email FROM customers ORDER BY id;
