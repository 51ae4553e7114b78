SELECT "dgkafka_moved", "dgkafka_state", "dgkafka_message" FROM pg_temp."dgkafka_move${target}"($1, $2, $3);
