-- kafka.output.create_table: the output table as the message schema describes it. The columns:
-- quoted names with the types of the schema's mapping (README, "Tables that follow their
-- schema"), then the primary key when there is one.
CREATE TABLE ${output_table} (
    ${columns}
);
