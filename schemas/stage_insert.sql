-- Moves a staged batch into the output table through the mappings and the filter.
INSERT INTO ${output_table} (${target_columns})
SELECT ${expressions} FROM ${stage} WHERE (${filter});
