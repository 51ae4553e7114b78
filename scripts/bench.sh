#!/usr/bin/env bash
# Benchmarks (a script to run and read, not a test). Everything runs in one fresh sandbox, side
# by side, each measurement REPEAT times; it prints medians, ratios and peak memory, and writes
# them to $BUILD_DIR/bench/results.md.
#
#   scripts/bench.sh                 1,000,000 rows, 3 repetitions
#   ROWS=200000 REPEAT=1 scripts/bench.sh
#
# Measured: (1) psql \copy from a local file, (2) kcat -C | psql \copy, (3) dgkafka load of the
# CSV customer rows (and (3m) the same with -metrics-address on), (4) dgkafka load of JSON HTTP
# events with seven cast mappings (json and jsonb; (4c) the same events as Avro through the
# registry stand-in, format = "avro", the same mappings; (4d) the same as Protobuf through the
# registry stand-in, format = "protobuf", the same mappings), (5) csv2kafka vs kcat -P seeding the same file, (6) tiny messages vs psql \copy, (7)
# merge-mode upserts vs the same upserts written by hand in psql, (8) -quit-at-eof on a caught-up
# 256-partition topic; then dgkafka rows/s by loaders and by max_row, and the end-to-end latency
# of streaming at a steady 10,000 messages/s. scripts/bench_curves.sh draws the cost curves.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
ROWS="${ROWS:-1000000}"
REPEAT="${REPEAT:-3}"
PARTITIONS=64
# shellcheck source=bench/setup.sh
source "$here/scripts/bench/setup.sh"

# --- data: generated, deterministic ----------------------------------------------------------
events="$out/events_$ROWS.json"
[ -s "$events" ] || awk -v rows="$ROWS" -f "$here/scripts/bench/gen_events.awk" >"$events"
# Tiny messages: two bigints, about 13 bytes. Upserts: MERGE_ROWS rows over MERGE_KEYS keys.
tiny="$out/tiny_$ROWS.csv"
[ -s "$tiny" ] || awk -v rows="$ROWS" 'BEGIN { for (i = 1; i <= rows; i++) printf "%d|%d\n", i, (i * 7919) % 1000003 }' >"$tiny"
MERGE_ROWS=$((ROWS * 2 / 5))
MERGE_KEYS=$((MERGE_ROWS / 8))
upserts="$out/upserts_${MERGE_ROWS}_$MERGE_KEYS.csv"  # every key, in a scattered order
[ -s "$upserts" ] || awk -v rows="$MERGE_ROWS" -v keys="$MERGE_KEYS" \
    'BEGIN { for (i = 1; i <= rows; i++) printf "%d|%d|v%d\n", (i * 7919) % keys, i, (i * 104729) % 1000003 }' >"$upserts"
log "data: $ROWS customer rows ($(($(wc -c <"$customer") / ROWS)) bytes/row), $ROWS JSON events ($(($(wc -c <"$events") / ROWS)) bytes/event)"

sql "CREATE TABLE customer $customer_ddl; CREATE TABLE customer_psql $customer_ddl; CREATE TABLE customer_pipe $customer_ddl;
     CREATE TABLE http_request (site_id int, ingest_time timestamptz, url text, request_country char(2),
       ip_address inet, status_code int, response_time_msec int);
     CREATE TABLE latency (c_custkey int, sent_at timestamptz, loaded_at timestamptz DEFAULT clock_timestamp());
     CREATE TABLE tiny (a bigint, b bigint); CREATE TABLE tiny_psql (a bigint, b bigint);
     CREATE TABLE upsert (k int PRIMARY KEY, seq int, v text); CREATE TABLE upsert_psql (k int PRIMARY KEY, seq int, v text);
     CREATE UNLOGGED TABLE upsert_stage (k int, seq int, v text);"

# A topic evenly filled: null keys would go to one partition per batch (sticky partitioner) and
# overflow the mock broker's 5 MB per partition.
seed() {  # topic file: one message per line
    local topic=$1 file=$2
    "$here/scripts/sandbox.sh" topic "$topic" "$PARTITIONS"
    kcat -P -b "$KAFKA_BROKERS" -t "$topic" -X sticky.partitioning.linger.ms=0 -l "$file"
    expect_messages "$topic"
}
expect_messages() {  # topic: holds ROWS messages over its partitions
    local topic=$1 total=0 p
    for p in $(seq 0 $((PARTITIONS - 1))); do
        total=$((total + $(kcat -Q -b "$KAFKA_BROKERS" -t "$topic:$p:-1" 2>/dev/null | awk '{print $NF}')))
    done
    [ "$total" -eq "$ROWS" ] || { log "seeding $topic: $total messages in the topic, $ROWS sent"; exit 1; }
}
seed bench_customer "$customer"
seed bench_events "$events"
seed bench_tiny "$tiny"
# The JSON events again, as Avro in Confluent's wire format (binary: produced by the generator itself).
"$here/scripts/sandbox.sh" topic bench_avro "$PARTITIONS"
start=$(date +%s.%N)
/usr/bin/python3 "$here/scripts/bench/avro_events.py" "$SCHEMA_REGISTRY_URL" "$KAFKA_BROKERS" bench_avro "$PARTITIONS" "$events"
log "data: $ROWS Avro events encoded and sent in $(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)") s"
expect_messages bench_avro
# And as Protobuf in Confluent's wire format (registered as schemaType PROTOBUF; message-index list [0]).
"$here/scripts/sandbox.sh" topic bench_protobuf "$PARTITIONS"
start=$(date +%s.%N)
/usr/bin/python3 "$here/scripts/bench/protobuf_events.py" "$SCHEMA_REGISTRY_URL" "$KAFKA_BROKERS" bench_protobuf "$PARTITIONS" "$events"
log "data: $ROWS Protobuf events encoded and sent in $(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)") s"
expect_messages bench_protobuf
# Keyed by k, so each key's upserts keep the file's order within their partition.
"$here/scripts/sandbox.sh" topic bench_upserts 8
awk -F'|' '{ print $1 "\t" $0 }' "$upserts" | kcat -P -b "$KAFKA_BROKERS" -t bench_upserts -K '\t'
# The cron fixed cost: a caught-up 256-partition topic.
"$here/scripts/sandbox.sh" topic bench_wide 256
head -n 2560 "$customer" | kcat -P -b "$KAFKA_BROKERS" -t bench_wide -X sticky.partitioning.linger.ms=0

config() {  # name topic format extra-toml
    cat >"$out/$1.toml" <<EOF
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "$3"
delimiter = "|"
consumer_group = "bench_$1"
topic = "$2"
$4
EOF
}
config csv bench_customer csv "$customer_columns
[kafka.output]
output_table = \"customer\"
[kafka.commit]
max_row = 10000"
config json bench_events json "[kafka.output]
output_table = \"http_request\"
$(printf '[[kafka.output.mappings]]\nname = "%s"\nkey = "%s"\n' \
    site_id "(jdata->>'site_id')::int" ingest_time "(jdata->>'ingest_time')::timestamptz" url "jdata->>'url'" \
    request_country "(jdata->>'request_country')::char(2)" ip_address "(jdata->>'ip_address')::inet" \
    status_code "(jdata->>'status_code')::int" response_time_msec "(jdata->>'response_time_msec')::int")
[kafka.commit]
max_row = 10000"
# The same events as Avro: the decoded record is jdata (json), read by the same mappings.
sed -e 's/^format = .*/format = "avro"/' -e '/^delimiter = /d' -e 's/^consumer_group = .*/consumer_group = "bench_avro"/' \
    -e "s|^topic = .*|topic = \"bench_avro\"\next_read_table = \"http_request_avro_read\"\nschema_registry = \"$SCHEMA_REGISTRY_URL\"|" \
    "$out/json.toml" >"$out/avro.toml"
# The same events as Protobuf: the decoded message is jdata (json, fields under their .proto names).
sed -e 's/^format = .*/format = "protobuf"/' -e 's/^consumer_group = .*/consumer_group = "bench_protobuf"/' \
    -e 's/^topic = .*/topic = "bench_protobuf"/' -e 's/^ext_read_table = .*/ext_read_table = "http_request_protobuf_read"/' \
    "$out/avro.toml" >"$out/protobuf.toml"
# The same with jdata declared jsonb: parsed once on the way in, not once per ->> operator.
sed -e 's/^consumer_group = .*/consumer_group = "bench_jsonb"/' \
    -e 's/^topic = .*/&\next_read_table = "http_request_jsonb_read"\n[[kafka.input.columns]]\nname = "jdata"\ntype = "jsonb"/' \
    "$out/json.toml" >"$out/jsonb.toml"
config tiny bench_tiny csv "$(printf '[[kafka.input.columns]]\nname = "%s"\ntype = "bigint"\n' a b)
[kafka.output]
output_table = \"tiny\"
[kafka.commit]
max_row = 10000"
config upsert bench_upserts csv "$(printf '[[kafka.input.columns]]\nname = "%s"\ntype = "%s"\n' k int seq int v text)
[kafka.output]
output_table = \"upsert\"
mode = \"merge\"
match_columns = [\"k\"]
[kafka.commit]
max_row = 10000"
sed -e 's/^consumer_group = .*/consumer_group = "bench_wide"/' -e 's/^topic = .*/topic = "bench_wide"/' \
    -e 's/^output_table = .*/output_table = "customer_wide"/' "$out/csv.toml" >"$out/wide.toml"
sql "CREATE TABLE customer_wide $customer_ddl"
for c in csv json jsonb avro protobuf tiny upsert wide; do "$bin/dgkafka" setup "$out/$c.toml" >/dev/null; done
"$bin/dgkafka" load -quit-at-eof "$out/wide.toml" >/dev/null
# The same upserts written by hand: per batch of 10,000, COPY into a staging table, then one
# INSERT ... ON CONFLICT of the latest row per key, in one transaction.
rm -f "$out"/upserts_part_*  # parts of an earlier, larger run
split -l 10000 -d -a 4 "$upserts" "$out/upserts_part_"
{
    for part in "$out"/upserts_part_*; do
        echo "BEGIN;"
        echo "\\copy upsert_stage from '$part' with (format csv, delimiter '|')"
        echo "INSERT INTO upsert_psql SELECT DISTINCT ON (k) k, seq, v FROM upsert_stage ORDER BY k, seq DESC
              ON CONFLICT (k) DO UPDATE SET seq = excluded.seq, v = excluded.v;"
        echo "TRUNCATE upsert_stage; COMMIT;"
    done
} >"$out/upserts.sql"

# --- timing helpers ----------------------------------------------------------------------------
declare -A times rss
timed() {  # label command... : records seconds (and peak RSS of the command) under label
    local label=$1 start end
    shift
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$out/rss" "$@" >/dev/null
    end=$(date +%s.%N)
    times[$label]+="$(echo "$end - $start" | bc) "
    rss[$label]+="$(cat "$out/rss") "
}
timed_pipe() {  # label shell-pipeline
    local label=$1 start end
    start=$(date +%s.%N)
    bash -c "$2" >/dev/null
    end=$(date +%s.%N)
    times[$label]+="$(echo "$end - $start" | bc) "
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
max() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
expect_rows() {  # table what [rows]
    local n
    n=$(sql "SELECT count(*) FROM $1")
    [ "$n" -eq "${3:-$ROWS}" ] || { log "$2 loaded $n rows, not ${3:-$ROWS}"; exit 1; }
}

copy_opts="with (format csv, delimiter '|')"
for r in $(seq 1 "$REPEAT"); do
    log "round $r of $REPEAT"
    sql "TRUNCATE customer_psql"
    timed psql psql -qX -c "\\copy customer_psql from '$customer' $copy_opts"
    expect_rows customer_psql "psql \\copy"

    sql "TRUNCATE customer_pipe"
    timed_pipe pipe "kcat -C -b '$KAFKA_BROKERS' -t bench_customer -o beginning -e -q -f '%s\n' | psql -qX -c \"\\copy customer_pipe from stdin $copy_opts\""
    expect_rows customer_pipe "kcat | psql"

    sql "TRUNCATE customer"
    timed dgkafka_csv "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/csv.toml"
    expect_rows customer "dgkafka (csv)"

    sql "TRUNCATE customer"
    timed dgkafka_csv_metrics "$bin/dgkafka" load -quit-at-eof -force-reset-earliest -metrics-address 127.0.0.1:0 "$out/csv.toml"
    expect_rows customer "dgkafka (csv, metrics on)"

    sql "TRUNCATE http_request"
    timed dgkafka_json "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/json.toml"
    expect_rows http_request "dgkafka (json)"
    ((r > 1)) || sql "CREATE TABLE http_request_json AS TABLE http_request"  # what (4c), (4d) must load

    sql "TRUNCATE http_request"
    timed dgkafka_jsonb "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/jsonb.toml"
    expect_rows http_request "dgkafka (jsonb)"

    sql "TRUNCATE http_request"
    timed dgkafka_avro "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/avro.toml"
    expect_rows http_request "dgkafka (avro)"
    [ "$(sql "SELECT count(*) FROM http_request WHERE url LIKE 'https://site%' AND ip_address << '10.0.0.0/8'")" -eq "$ROWS" ] ||
        { log "dgkafka (avro) loaded other values than the JSON events"; exit 1; }

    sql "TRUNCATE http_request"
    timed dgkafka_protobuf "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/protobuf.toml"
    expect_rows http_request "dgkafka (protobuf)"
    [ "$(sql "SELECT count(*) FROM (TABLE http_request EXCEPT ALL TABLE http_request_json) d")" -eq 0 ] ||
        { log "dgkafka (protobuf) loaded other values than the JSON events"; exit 1; }

    sql "TRUNCATE tiny_psql"
    timed psql_tiny psql -qX -c "\\copy tiny_psql from '$tiny' $copy_opts"
    expect_rows tiny_psql "psql \\copy (tiny)"
    sql "TRUNCATE tiny"
    timed dgkafka_tiny "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/tiny.toml"
    expect_rows tiny "dgkafka (tiny)"
    # The consume floor: Kafka's own reader of the same messages, writing nowhere.
    timed kcat_tiny kcat -C -b "$KAFKA_BROKERS" -t bench_tiny -o beginning -e -q

    sql "TRUNCATE upsert_psql"
    timed psql_upsert psql -qX -v ON_ERROR_STOP=1 -f "$out/upserts.sql"
    expect_rows upsert_psql "psql upserts" "$MERGE_KEYS"
    sql "TRUNCATE upsert"
    timed dgkafka_upsert "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/upsert.toml"
    expect_rows upsert "dgkafka merge" "$MERGE_KEYS"
    [ "$(sql "SELECT count(*) FROM upsert u JOIN upsert_psql p USING (k, seq, v)")" -eq "$MERGE_KEYS" ] ||
        { log "dgkafka merge and the hand-written upserts disagree"; exit 1; }

    timed cron_wide "$bin/dgkafka" load -quit-at-eof "$out/wide.toml"

    # Seeding: csv2kafka and kcat -P take turns going first, so neither always meets a fuller broker.
    seed_csv2kafka() {
        "$here/scripts/sandbox.sh" topic "seed_csv2kafka_$r" "$PARTITIONS"
        timed csv2kafka "$bin/csv2kafka" -q -d '|' -w '|' -X sticky.partitioning.linger.ms=0 "$KAFKA_BROKERS" "seed_csv2kafka_$r" "$customer"
    }
    seed_kcat() {
        "$here/scripts/sandbox.sh" topic "seed_kcat_$r" "$PARTITIONS"
        timed kcat_produce kcat -P -b "$KAFKA_BROKERS" -t "seed_kcat_$r" -X sticky.partitioning.linger.ms=0 -l "$customer"
    }
    if ((r % 2)); then seed_csv2kafka; seed_kcat; else seed_kcat; seed_csv2kafka; fi
done

# --- scaling: loaders and max_row (one run each) -----------------------------------------------
declare -A scaling
for loaders in 1 2 4; do
    sql "TRUNCATE customer"
    start=$(date +%s.%N)
    "$bin/dgkafka" load -quit-at-eof -force-reset-earliest -loaders "$loaders" "$out/csv.toml" >/dev/null
    scaling["loaders $loaders"]=$(echo "$ROWS / ($(date +%s.%N) - $start)" | bc)
done
for max_row in 1000 10000 50000; do
    sed "s/^max_row = .*/max_row = $max_row/" "$out/csv.toml" >"$out/csv_$max_row.toml"
    sql "TRUNCATE customer"
    start=$(date +%s.%N)
    "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/csv_$max_row.toml" >/dev/null
    scaling["max_row $max_row"]=$(echo "$ROWS / ($(date +%s.%N) - $start)" | bc)
done

# --- streaming latency at a steady 10,000 messages/s, default commit settings ------------------
LATENCY_ROWS=$((ROWS < 100000 ? ROWS : 100000))
"$here/scripts/sandbox.sh" topic bench_latency 8
config latency bench_latency csv "$(printf '[[kafka.input.columns]]\nname = "%s"\ntype = "%s"\n' \
    c_custkey integer c_name text c_address text c_nationkey int c_phone text c_acctbal float8 c_mktsegment text c_comment text)
[kafka.output]
output_table = \"latency\"
[[kafka.output.mappings]]
name = \"c_custkey\"
key = \"c_custkey\"
[[kafka.output.mappings]]
name = \"sent_at\"
key = \"_timestamp\""
"$bin/dgkafka" setup "$out/latency.toml" >/dev/null
"$bin/dgkafka" load "$out/latency.toml" >/dev/null 2>"$out/latency.err" &
loader=$!
# Steady state, not start-up: one message first, and the paced run once it is visible.
"$bin/csv2kafka" -q --limit 1 -d '|' -w '|' "$KAFKA_BROKERS" bench_latency "$customer" >/dev/null
for _ in $(seq 1 600); do
    [ "$(sql "SELECT count(*) FROM latency")" -ge 1 ] && break
    sleep 0.1
done
sql "TRUNCATE latency"
"$bin/csv2kafka" -q --rate 10000 --limit "$LATENCY_ROWS" -d '|' -w '|' "$KAFKA_BROKERS" bench_latency "$customer" >/dev/null
for _ in $(seq 1 600); do  # until every message is visible (at most 60 s)
    [ "$(sql "SELECT count(*) FROM latency")" -ge "$LATENCY_ROWS" ] && break
    sleep 0.1
done
kill -TERM "$loader"
wait "$loader"
latency=$(sql "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - sent_at)))
          || ' ms p50, ' || round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - sent_at)))
          || ' ms p99, ' || count(*) || ' messages' FROM latency")

# --- report ----------------------------------------------------------------------------------
m() { printf "%.2f" "$(echo "${times[$1]}" | median)"; }
ratio() { echo "scale=2; $(m "$1") / $(m "$2")" | bc; }
rate() { echo "$ROWS / $(m "$1")" | bc; }
{
    echo "## Results: $ROWS rows, median of $REPEAT, $(date -u +%Y-%m-%d)"
    echo
    echo "| measurement | median s | rows/s | peak RSS |"
    echo "| --- | ---: | ---: | ---: |"
    echo "| (1) psql \\copy from a local file | $(m psql) | $(rate psql) | |"
    echo "| (2) kcat -C -e \\| psql \\copy | $(m pipe) | $(rate pipe) | |"
    echo "| (3) dgkafka load -quit-at-eof, CSV, no mappings | $(m dgkafka_csv) | $(rate dgkafka_csv) | $(( $(echo "${rss[dgkafka_csv]}" | max) / 1024 )) MB |"
    echo "| (4) dgkafka load -quit-at-eof, JSON, 7 cast mappings | $(m dgkafka_json) | $(rate dgkafka_json) | $(( $(echo "${rss[dgkafka_json]}" | max) / 1024 )) MB |"
    echo "| (4b) the same, jdata declared jsonb | $(m dgkafka_jsonb) | $(rate dgkafka_jsonb) | $(( $(echo "${rss[dgkafka_jsonb]}" | max) / 1024 )) MB |"
    echo "| (4c) the same events as Avro (registry, wire format), the same mappings | $(m dgkafka_avro) | $(rate dgkafka_avro) | $(( $(echo "${rss[dgkafka_avro]}" | max) / 1024 )) MB |"
    echo "| (4d) the same events as Protobuf (registry, wire format), the same mappings | $(m dgkafka_protobuf) | $(rate dgkafka_protobuf) | $(( $(echo "${rss[dgkafka_protobuf]}" | max) / 1024 )) MB |"
    echo "| (3m) (3) with -metrics-address 127.0.0.1:0 | $(m dgkafka_csv_metrics) | $(rate dgkafka_csv_metrics) | $(( $(echo "${rss[dgkafka_csv_metrics]}" | max) / 1024 )) MB |"
    echo "| (6) dgkafka load, tiny messages (two bigints) | $(m dgkafka_tiny) | $(rate dgkafka_tiny) | $(( $(echo "${rss[dgkafka_tiny]}" | max) / 1024 )) MB |"
    echo "| (5a) csv2kafka seeding the file | $(m csv2kafka) | $(rate csv2kafka) | |"
    echo "| (5b) kcat -P -l seeding the file | $(m kcat_produce) | $(rate kcat_produce) | |"
    echo
    echo "| ratio | value | target |"
    echo "| --- | ---: | --- |"
    echo "| (3) / (2) | $(ratio dgkafka_csv pipe) | at most 0.9 |"
    echo "| (3) / (1) | $(ratio dgkafka_csv psql) | at most 1.5 |"
    echo "| (4) / (3) | $(ratio dgkafka_json dgkafka_csv) | at most 2 |"
    echo "| (4b) / (3) | $(ratio dgkafka_jsonb dgkafka_csv) | at most 2 |"
    echo "| (4b) / (4), jsonb / json | $(ratio dgkafka_jsonb dgkafka_json) | at most 1.2 |"
    echo "| (4c) / (4), avro / json | $(ratio dgkafka_avro dgkafka_json) | at most 1.5 |"
    echo "| (4d) / (4), protobuf / json | $(ratio dgkafka_protobuf dgkafka_json) | at most 1.3 |"
    echo "| (3m) / (3), metrics on / off | $(ratio dgkafka_csv_metrics dgkafka_csv) | at most 1.05 (no slowdown) |"
    echo "| (6) tiny messages, dgkafka / psql \\copy ($(m dgkafka_tiny) s / $(m psql_tiny) s) | $(ratio dgkafka_tiny psql_tiny) | at most 1.8 |"
    echo "| (6c) tiny messages, \`kcat -C\` to /dev/null / psql \\copy ($(m kcat_tiny) s): the consume floor | $(ratio kcat_tiny psql_tiny) | |"
    echo "| (7) merge, $MERGE_ROWS upserts over $MERGE_KEYS keys, dgkafka / psql by hand ($(m dgkafka_upsert) s / $(m psql_upsert) s) | $(ratio dgkafka_upsert psql_upsert) | at most 1.0 |"
    echo "| (8) -quit-at-eof on a caught-up 256-partition topic | $(m cron_wide) s | under 0.5 s |"
    echo "| (5a) / (5b) | $(ratio csv2kafka kcat_produce) | at most 1.1 |"
    echo
    echo "| dgkafka CSV load | rows/s |"
    echo "| --- | ---: |"
    for k in "loaders 1" "loaders 2" "loaders 4" "max_row 1000" "max_row 10000" "max_row 50000"; do
        echo "| $k | ${scaling[$k]} |"
    done
    echo
    echo "Streaming latency, produce to visible, steady 10,000 messages/s after a warm-up message, default commit settings: $latency"
    echo
    echo "All times: $(for k in psql pipe dgkafka_csv dgkafka_csv_metrics dgkafka_json dgkafka_jsonb dgkafka_avro dgkafka_protobuf psql_tiny dgkafka_tiny kcat_tiny psql_upsert dgkafka_upsert cron_wide csv2kafka kcat_produce; do printf '%s=[%s] ' "$k" "${times[$k]% }"; done)"
} | tee "$out/results.md"
