-- dgkafka check prints times in UTC.
SET LOCAL TimeZone = 'UTC';
