#!/usr/bin/env bash
# A soak of `dgkafka load` as a streaming service (a script to run and read, not a test): a
# producer at a steady rate into a many-partition topic with a share of bad messages, while faults
# come on a schedule — PostgreSQL restarted (immediate) and stopped for a while, every broker down
# for a while, SIGHUP, SIGTERM and a double SIGTERM (the load is started again after each). Then
# it judges exactness by set comparison (every acknowledged message once, in the table or the
# rejects), and prints peak RSS and the end-to-end latency percentiles.
#
#   scripts/soak.sh                               10 minutes, 3,000 msg/s, 32 partitions
#   DURATION=60 RATE=1000 scripts/soak.sh         (CI runs a short one)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
DURATION="${DURATION:-600}"
RATE="${RATE:-3000}"
PARTITIONS="${PARTITIONS:-32}"
BAD_EVERY="${BAD_EVERY:-1000}"
export SANDBOX="$BUILD_DIR/soak-sandbox"
export DGKAFKA_PGPORT="${DGKAFKA_PGPORT:-55400}"
out="$BUILD_DIR/soak"
rm -rf "$out"
mkdir -p "$out"
bin="$BUILD_DIR/apps"
[ -x "$bin/dgkafka" ] || bash "$here/scripts/build.sh" >/dev/null
env_file=$("$here/scripts/sandbox.sh" start)
producer=""
load_pid=""
cleanup() {
    [ -z "$producer" ] || kill "$producer" 2>/dev/null || true
    [ -z "$load_pid" ] || kill -9 "$load_pid" 2>/dev/null || true
    "$here/scripts/sandbox.sh" stop
}
trap cleanup EXIT
# shellcheck disable=SC1090
source "$env_file"
log() { printf '%s soak: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
sql() { psql -qXtA -v ON_ERROR_STOP=1 -c "$1"; }

"$here/scripts/sandbox.sh" topic soak "$PARTITIONS"
sql "CREATE TABLE soak (id bigint PRIMARY KEY, sent_at timestamptz, payload text CHECK (payload <> 'bad'),
                        loaded_at timestamptz DEFAULT clock_timestamp())"
cat >"$out/soak.toml" <<TOML
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "soak"
topic = "soak"
[[kafka.input.columns]]
name = "id"
type = "bigint"
[[kafka.input.columns]]
name = "sent_at"
type = "timestamptz"
[[kafka.input.columns]]
name = "payload"
type = "text"
[kafka.output]
output_table = "soak"
TOML
"$bin/dgkafka" setup "$out/soak.toml" >/dev/null

start_load() {
    "$bin/dgkafka" load -metrics-address 127.0.0.1:0 -log-format json "$out/soak.toml" \
        >>"$out/load.out" 2>>"$out/load.err" &
    load_pid=$!
}
stop_load() {  # signal...: each sent, the last one waited for
    local s
    for s in "$@"; do kill "-$s" "$load_pid" 2>/dev/null || true; done
    local code=0
    wait "$load_pid" || code=$?
    log "load stopped by ${*}: exit $code"
    echo "$code" >>"$out/exits"
}
rss_peak=0
sample() {  # the load's resident memory, in MB
    local kb
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$load_pid/status" 2>/dev/null || echo 0)
    [ "$kb" -le "$rss_peak" ] || rss_peak=$kb
}
# Waits $1 seconds, sampling memory.
pause() {
    local until=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$until" ]; do sample; sleep 1; done
}

/usr/bin/python3 "$here/scripts/soak/produce.py" "$KAFKA_BROKERS" soak "$RATE" "$DURATION" "$BAD_EVERY" "$out/last" \
    >"$out/producer.log" 2>&1 &
producer=$!
start_load
began=$SECONDS
step=$((DURATION / 8))
[ "$step" -ge 5 ] || step=5
pause "$step"; log "PostgreSQL restarted (immediate)"; "$here/scripts/sandbox.sh" pg restart
pause "$step"; log "PostgreSQL stopped for $((step / 2)) s"; "$here/scripts/sandbox.sh" pg stop
pause $((step / 2)); "$here/scripts/sandbox.sh" pg start; log "PostgreSQL started"
pause "$step"; log "every broker down for $((step / 2)) s"; "$here/scripts/sandbox.sh" broker down -1
pause $((step / 2)); "$here/scripts/sandbox.sh" broker up -1; log "brokers up"
pause "$step"; stop_load HUP; start_load
pause "$step"; stop_load TERM; start_load
pause "$step"; stop_load TERM TERM; start_load
wait "$producer" || log "the producer reported failed deliveries"
producer=""
read -r produced acked failed <"$out/last"
log "produced $produced messages ($acked acknowledged, $failed failed) in $((SECONDS - began)) s"
# The sandbox broker can append an idempotent producer's in-flight batch twice when it goes down
# (librdkafka's mock cluster): such a record is in Kafka twice, and its second copy is refused by
# the table's key. Those are counted apart; any other reject of a good message is a fault.
in_kafka=0
for p in $(seq 0 $((PARTITIONS - 1))); do
    in_kafka=$((in_kafka + $(kcat -Q -b "$KAFKA_BROKERS" -t "soak:$p:-1" 2>/dev/null | awk '{print $NF}')))
done
# Caught up: every message in Kafka is in the table or the rejects.
deadline=$((SECONDS + 300))
while :; do
    loaded=$(sql "SELECT (SELECT count(*) FROM soak) + (SELECT count(*) FROM soak_rejects)")
    [ "$loaded" -lt "$in_kafka" ] || break
    [ "$SECONDS" -lt "$deadline" ] || { log "not caught up after 300 s: $loaded of $in_kafka"; break; }
    sample
    sleep 1
done
stop_load TERM
load_pid=""

# Exactness by set comparison: the ids in the table and in the rejects, against 1..produced.
rows=$(sql "SELECT count(*) FROM soak")
distinct=$(sql "SELECT count(DISTINCT id) FROM soak")
rejects=$(sql "SELECT count(*) FROM soak_rejects")
kafka_dups=$(sql "SELECT count(*) FROM soak_rejects r WHERE split_part(convert_from(r.value, 'UTF8'), '|', 3) <> 'bad'
                    AND r.sqlstate = '23505'
                    AND EXISTS (SELECT FROM soak s WHERE s.id = split_part(convert_from(r.value, 'UTF8'), '|', 1)::bigint)")
bad_rejects=$(sql "SELECT count(*) FROM soak_rejects WHERE split_part(convert_from(value, 'UTF8'), '|', 3) <> 'bad'")
bad_rejects=$((bad_rejects - kafka_dups))
missing=$(sql "SELECT count(*) FROM generate_series(1, $acked) AS g(id)
               WHERE NOT EXISTS (SELECT FROM soak WHERE soak.id = g.id)
                 AND NOT EXISTS (SELECT FROM soak_rejects r WHERE split_part(convert_from(r.value, 'UTF8'), '|', 1)::bigint = g.id)")
dup_rejects=$(sql "SELECT count(*) - count(DISTINCT (partition_number, \"offset\")) FROM soak_rejects")
latency=$(sql "SELECT array_to_string(ARRAY(SELECT round(1000 * x)::bigint FROM unnest(percentile_cont(ARRAY[0.5, 0.9, 0.99])
                   WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - sent_at))) AS x), ' / ') FROM soak")
history=$(sql "SELECT count(*) FROM kafka_offset_summary")
retry_lines=$(grep -c 'retrying' "$out/load.err" || true)
not_json=$(python3 -c "
import json, sys
bad = 0
for line in open('$out/load.err'):
    try: json.loads(line)
    except ValueError: bad += 1
print(bad)")
exits=$(tr '\n' ' ' <"$out/exits")
cat <<REPORT

soak: ${DURATION} s at ${RATE} msg/s into ${PARTITIONS} partitions, one message in ${BAD_EVERY} refused
  produced (acknowledged)   $acked
  in Kafka                  $in_kafka ($kafka_dups written twice by the sandbox broker, rejected by the key)
  rows loaded / distinct    $rows / $distinct
  rejected                  $rejects ($bad_rejects good messages among them, $dup_rejects rejected twice)
  missing                   $missing
  load exits                $exits
  peak RSS                  $((rss_peak / 1024)) MB
  latency p50 / p90 / p99   $latency ms
  history table rows        $history
  retry lines in the log    $retry_lines
  log lines not JSON        $not_json
REPORT
[ "$rows" = "$distinct" ] && [ "$missing" = 0 ] && [ "$bad_rejects" = 0 ] && [ "$dup_rejects" = 0 ] &&
    [ $((rows + rejects)) = "$in_kafka" ] || { echo "soak: NOT EXACT" >&2; exit 1; }
[ "$not_json" = 0 ] || { echo "soak: $not_json log lines are not JSON (-log-format json)" >&2; exit 1; }
echo "soak: exact"
