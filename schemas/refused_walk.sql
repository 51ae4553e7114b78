SELECT "dgkafka_row", "dgkafka_end", "dgkafka_moved", "dgkafka_state", "dgkafka_message" FROM pg_temp."dgkafka_walk${target}"($1, $2);
