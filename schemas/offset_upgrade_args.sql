-- The values offset_upgrade reads: the output table its earlier rows belong to, and the tables.
SELECT set_config('dgkafka.upgrade_output_table', $1, true),
       set_config('dgkafka.upgrade_offset_table', $2, true),
       set_config('dgkafka.upgrade_history_table', $3, true);
