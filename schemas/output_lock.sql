-- kafka.output.evolve: one adder of columns at a time (the loaders of every process, setup).
-- SHARE ROW EXCLUSIVE conflicts with itself, not with readers; the columns are read again under
-- it, so a column is added, and recorded in the history, once. Held until the commit.
LOCK TABLE ${output_table} IN SHARE ROW EXCLUSIVE MODE;
