#!/usr/bin/env bash
# Benchmark (a script to run and read, not a test): one topic of JSON HTTP events (seven cast
# mappings, as scripts/bench.sh's (4)) loaded by one job into three tables, split by site_id % 3
# ([[kafka.output.targets]], each with its filter and the same mappings), side by side with one
# job loading the same messages into one table (farm-bench pairs the two runs, A B A B ...); then
# what a user did before: three jobs, one per table, each reading the whole topic.
#
#   scripts/bench_targets.sh                 200,000 events, 5 pairs
#   ROWS=50000 RUNS=3 scripts/bench_targets.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
ROWS="${ROWS:-200000}"
RUNS="${RUNS:-5}"
PARTITIONS=64  # the mock broker keeps 5 MB per partition
# shellcheck source=bench/setup.sh
source "$here/scripts/bench/setup.sh"

events="$out/events_$ROWS.json"
[ -s "$events" ] || awk -v rows="$ROWS" -f "$here/scripts/bench/gen_events.awk" >"$events"
"$here/scripts/sandbox.sh" topic bench_targets "$PARTITIONS"
kcat -P -b "$KAFKA_BROKERS" -t bench_targets -X sticky.partitioning.linger.ms=0 -l "$events"

columns="(site_id int, ingest_time timestamptz, url text, request_country char(2), ip_address inet,
          status_code int, response_time_msec int)"
sql "CREATE TABLE http_all $columns; CREATE TABLE http_0 $columns; CREATE TABLE http_1 $columns;
     CREATE TABLE http_2 $columns"
mappings() {  # the mappings' TOML under the given array-of-tables name
    printf "[[$1]]\nname = \"%s\"\nkey = \"%s\"\n" \
        site_id "(jdata->>'site_id')::int" ingest_time "(jdata->>'ingest_time')::timestamptz" url "jdata->>'url'" \
        request_country "(jdata->>'request_country')::char(2)" ip_address "(jdata->>'ip_address')::inet" \
        status_code "(jdata->>'status_code')::int" response_time_msec "(jdata->>'response_time_msec')::int"
}
config() {  # name output-toml
    cat >"$out/targets_$1.toml" <<TOML
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "json"
consumer_group = "bench_targets_$1"
topic = "bench_targets"
ext_read_table = "bench_targets_$1_read"
[kafka.output]
$2
[kafka.commit]
max_row = 10000
TOML
    "$bin/dgkafka" setup "$out/targets_$1.toml" >/dev/null
}
config one "output_table = \"http_all\"
$(mappings kafka.output.mappings)"
three="unmatched = \"stop\""
for i in 0 1 2; do
    three+="
[[kafka.output.targets]]
output_table = \"http_$i\"
filter = \"(jdata->>'site_id')::int % 3 = $i\"
$(mappings kafka.output.targets.mappings)"
    config "alone_$i" "output_table = \"http_$i\"
filter = \"(jdata->>'site_id')::int % 3 = $i\"
$(mappings kafka.output.mappings)"
done
config three "$three"

# Each run empties its tables, then loads the whole topic again.
cat >"$out/targets_run.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
tables=$1; shift
psql -qXtA -v ON_ERROR_STOP=1 -c "TRUNCATE $tables"
for config in "$@"; do "$BIN/dgkafka" load -quit-at-eof -force-reset-earliest "$config" >/dev/null; done
SH
chmod +x "$out/targets_run.sh"
export BIN="$bin"
one=("$out/targets_run.sh" http_all "$out/targets_one.toml")
three_cmd=("$out/targets_run.sh" "http_0, http_1, http_2" "$out/targets_three.toml")
three_jobs=("$out/targets_run.sh" "http_0, http_1, http_2" "$out/targets_alone_0.toml" "$out/targets_alone_1.toml"
    "$out/targets_alone_2.toml")

# Correct first: each table holds its third, together every event once.
"${three_cmd[@]}"
[ "$(sql "SELECT (SELECT count(*) FROM http_0) + (SELECT count(*) FROM http_1) + (SELECT count(*) FROM http_2)")" -eq "$ROWS" ] ||
    { log "three targets did not load every event once"; exit 1; }
[ "$(sql "SELECT count(*) FROM http_1 WHERE site_id % 3 <> 1")" -eq 0 ] || { log "http_1 holds another table's rows"; exit 1; }

q() { printf '%q ' "$@"; }
log "three targets (A) vs one table (B), $ROWS events, $RUNS pairs:"
farm-bench -n "$RUNS" --timeout 3600 --vs "$(q "${one[@]}")" -- "${three_cmd[@]}" | tee "$out/targets_vs_one.txt"
log "three targets in one job (A) vs three jobs, one per table (B):"
farm-bench -n "$RUNS" --timeout 3600 --vs "$(q "${three_jobs[@]}")" -- "${three_cmd[@]}" | tee "$out/targets_vs_jobs.txt"
