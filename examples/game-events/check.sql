SELECT count(*) AS swords,
       string_agg(DISTINCT host, ',') AS hosts,
       string_agg(DISTINCT user_agent, ',') AS agents,
       bool_and(raw_event->>'event_type' = 'purchase_sword' AND raw_event->>'Host' = host) AS raw_kept,
       bool_and(kafka_time BETWEEN now() - interval '1 hour' AND now()) AS kafka_time_kept
FROM purchases;
