SELECT "dgkafka_row", "dgkafka_moved", "dgkafka_state", "dgkafka_message" FROM pg_temp."dgkafka_tried_aside"();
