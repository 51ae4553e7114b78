-- kafka.output.evolve: a field a later schema version added, as a NULL-able column (never a drop
-- or a type change). IF NOT EXISTS: another loader or setup may have added it first.
ALTER TABLE ${output_table} ADD COLUMN IF NOT EXISTS ${column} ${type};
