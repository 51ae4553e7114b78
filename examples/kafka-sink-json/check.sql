SELECT (SELECT string_agg(concat_ws(' ', a, b, identity, longitude, acceleration0, location->>'latitude'), ', ' ORDER BY a)
        FROM kafka_test)
       || ' | rejected: ' || (SELECT string_agg(error || ': ' || convert_from(value, 'UTF8'), ', ') FROM kafka_test_rejects);
