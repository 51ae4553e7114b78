SELECT (SELECT count(*) FROM purchases) AS swords,
       (SELECT string_agg(DISTINCT host, ',') FROM purchases) AS buyers,
       (SELECT string_agg(guild_id::text, ',' ORDER BY guild_id) FROM guild_joins) AS guilds,
       (SELECT bool_and(kafka_time BETWEEN now() - interval '1 hour' AND now()) FROM guild_joins) AS kafka_time_kept,
       (SELECT count(*) FROM purchases_rejects) AS rejected;
