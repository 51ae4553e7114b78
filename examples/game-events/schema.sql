-- Purchases extracted from the game's event stream (the seed's Spark job wrote them to Parquet).
CREATE TABLE purchases (
  raw_event jsonb,          -- the whole event, as it came
  kafka_time timestamptz,   -- the Kafka message timestamp
  event_type text,
  host text,
  accept text,
  user_agent text
);
