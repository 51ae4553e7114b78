-- The game's event stream split by event type (seed 004): one table per kind of event.
CREATE TABLE purchases (
  kafka_time timestamptz,   -- the Kafka message timestamp
  host text,
  user_agent text
);
CREATE TABLE guild_joins (
  kafka_time timestamptz,
  host text,
  guild_id integer
);
