# Deterministic HTTP request events as JSON, one per line, shaped like the seeds' http_request
# table (site_id, ingest_time, url, request_country, ip_address, status_code, response_time_msec).
# Usage: awk -v rows=N -f gen_events.awk
BEGIN {
    split("US DE FR GB NL JP BR IN CA AU", country, " ")
    split("200 200 200 200 200 200 301 404 500 503", status, " ")
    split("index.html about products/list products/item cart checkout api/v1/orders search help blog", path, " ")
    seed = 7
    base = 1795000000
    for (i = 1; i <= rows; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648
        t = base + int(i / 10)
        printf "{\"site_id\": %d, \"ingest_time\": \"%s.%03dZ\", \"url\": \"https://site%d.example.com/%s?id=%d\", \"request_country\": \"%s\", \"ip_address\": \"10.%d.%d.%d\", \"status_code\": %d, \"response_time_msec\": %d}\n", \
            1 + seed % 100, strftime("%Y-%m-%dT%H:%M:%S", t, 1), i % 1000, 1 + seed % 100, path[1 + int(seed / 100) % 10], seed % 100000, \
            country[1 + int(seed / 7) % 10], int(seed / 11) % 256, int(seed / 13) % 256, int(seed / 17) % 256, status[1 + int(seed / 19) % 10], 5 + int(seed / 23) % 2000
    }
}
