#!/usr/bin/env bash
# Cost curves (a script to run and read, not a test): how dgkafka's throughput and memory grow
# with message size, partitions, loaders, batch size and the share of rejected rows, and the
# streaming latency at three rates. One fresh sandbox; one run per point; prints tables, writes
# $BUILD_DIR/bench/curves.md and, with gnuplot, $BUILD_DIR/bench/curves.svg.
#
#   scripts/bench_curves.sh              200,000 customer rows a point
#   ROWS=50000 scripts/bench_curves.sh   quicker
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
ROWS="${ROWS:-200000}"
# shellcheck source=bench/setup.sh
source "$here/scripts/bench/setup.sh"
mkdir -p "$out/curves"

job() {  # name topic table extra-toml: writes $out/curves/name.toml and runs setup
    cat >"$out/curves/$1.toml" <<EOF
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "curve_$1"
topic = "$2"
$customer_columns
[kafka.output]
output_table = "$3"
[kafka.commit]
max_row = 10000
${4:-}
EOF
    "$bin/dgkafka" setup "$out/curves/$1.toml" >/dev/null
}

topic_of() {  # topic partitions file: evenly filled, checked
    "$here/scripts/sandbox.sh" topic "$1" "$2"
    kcat -P -b "$KAFKA_BROKERS" -t "$1" -X sticky.partitioning.linger.ms=0 -X message.max.bytes=2000000 -l "$3"
}

# One load: prints "seconds peak_MB"; the table must then hold `rows` rows.
load() {  # toml table rows [flags...]
    local toml=$1 table=$2 rows=$3 start end n
    shift 3
    sql "TRUNCATE $table"
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$out/curves/rss" "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$@" "$toml" \
        >/dev/null 2>"$out/curves/load.err" || { log "load of $toml failed: $(tail -n 3 "$out/curves/load.err")"; exit 1; }
    end=$(date +%s.%N)
    n=$(sql "SELECT count(*) FROM $table")
    [ "$n" -eq "$rows" ] || { log "$toml: $n rows loaded, expected $rows"; exit 1; }
    echo "$(echo "$end - $start" | bc) $(($(cat "$out/curves/rss") / 1024))"
}

table_header() { printf '\n| %s | s | rows/s | MB/s | peak RSS MB |\n| ---: | ---: | ---: | ---: | ---: |\n' "$1"; }
row() {  # x rows bytes "seconds mb" datafile
    local s mb
    read -r s mb <<<"$4"
    printf '| %s | %.2f | %d | %.1f | %d |\n' "$1" "$s" "$(echo "$2 / $s" | bc)" "$(echo "$3 / $s / 1048576" | bc -l)" "$mb"
    echo "$1 $(echo "$2 / $s" | bc) $(echo "$3 / $s / 1048576" | bc -l) $mb" >>"$5"
}

report="$out/curves.md"
: >"$report"
bytes=$(wc -c <"$customer")
sql "CREATE TABLE curve $customer_ddl"

# --- message size: one text column; about 64 MB a point, 64 partitions ------------------------
{
    echo "## Cost curves, $(date -u +%Y-%m-%d), scripts/bench_curves.sh (ROWS=$ROWS)"
    table_header "message bytes"
} | tee -a "$report"
sql "CREATE TABLE curve_size (v text)"
: >"$out/curves/size.dat"
for size in 20 200 2000 20000 200000 900000; do
    n=$((64 * 1048576 / size))
    [ "$n" -gt "$ROWS" ] && n=$ROWS
    awk -v n="$n" -v size="$size" 'BEGIN { line = ""; while (length(line) < size) line = line "abcdefghijklmnopqrstuvwxyz0123456789"; line = substr(line, 1, size); for (i = 0; i < n; i++) print line }' >"$out/curves/size.txt"
    topic_of "curve_size_$size" 64 "$out/curves/size.txt"
    cat >"$out/curves/size_$size.toml" <<EOF
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "curve_size_$size"
topic = "curve_size_$size"
[[kafka.input.columns]]
name = "v"
type = "text"
[kafka.output]
output_table = "curve_size"
[kafka.commit]
max_row = 10000
EOF
    "$bin/dgkafka" setup "$out/curves/size_$size.toml" >/dev/null
    row "$size" "$n" "$((n * size))" "$(load "$out/curves/size_$size.toml" curve_size "$n")" "$out/curves/size.dat" | tee -a "$report"
done

# --- partitions -------------------------------------------------------------------------------
table_header "partitions" | tee -a "$report"
: >"$out/curves/partitions.dat"
for parts in 1 16 64 256 1024; do
    rows=$ROWS
    [ "$parts" -eq 1 ] && rows=$((ROWS < 25000 ? ROWS : 25000))  # the mock keeps 5 MB a partition
    head -n "$rows" "$customer" >"$out/curves/part.csv"
    topic_of "curve_parts_$parts" "$parts" "$out/curves/part.csv"
    job "parts_$parts" "curve_parts_$parts" curve
    row "$parts" "$rows" "$(wc -c <"$out/curves/part.csv")" "$(load "$out/curves/parts_$parts.toml" curve "$rows")" \
        "$out/curves/partitions.dat" | tee -a "$report"
done

# --- loaders and batch size, on 64 partitions -------------------------------------------------
topic_of curve_main 64 "$customer"
job main curve_main curve
table_header "loaders" | tee -a "$report"
: >"$out/curves/loaders.dat"
for loaders in 1 2 4 8; do
    row "$loaders" "$ROWS" "$bytes" "$(load "$out/curves/main.toml" curve "$ROWS" -loaders "$loaders")" \
        "$out/curves/loaders.dat" | tee -a "$report"
done
table_header "max_row" | tee -a "$report"
: >"$out/curves/batch.dat"
for max_row in 100 1000 10000 50000; do
    sed "s/^max_row = .*/max_row = $max_row/" "$out/curves/main.toml" >"$out/curves/batch_$max_row.toml"
    row "$max_row" "$ROWS" "$bytes" "$(load "$out/curves/batch_$max_row.toml" curve "$ROWS")" \
        "$out/curves/batch.dat" | tee -a "$report"
done

# --- rows the database refuses (a CHECK constraint): 0 %, 1 %, 10 % ----------------------------
table_header "% refused" | tee -a "$report"
: >"$out/curves/refused.dat"
for pct in 0 1 10; do
    sql "SET client_min_messages = warning; DROP TABLE IF EXISTS curve_check; CREATE TABLE curve_check $customer_ddl"
    [ "$pct" -gt 0 ] && sql "ALTER TABLE curve_check ADD CHECK (c_custkey % $((100 / pct)) <> 0)"
    job "refused_$pct" curve_main curve_check
    row "$pct" "$((ROWS - ROWS * pct / 100))" "$bytes" \
        "$(load "$out/curves/refused_$pct.toml" curve_check "$((ROWS - ROWS * pct / 100))")" "$out/curves/refused.dat" |
        tee -a "$report"
done

# --- streaming latency, produce to visible, at three rates -------------------------------------
printf '\n| messages/s | p50 ms | p99 ms | messages |\n| ---: | ---: | ---: | ---: |\n' | tee -a "$report"
sql "CREATE TABLE curve_latency (c_custkey int, sent_at timestamptz, loaded_at timestamptz DEFAULT clock_timestamp())"
for rate in 1000 10000 100000; do
    count=$((rate * 5 < ROWS ? rate * 5 : ROWS))  # about five seconds of traffic
    "$here/scripts/sandbox.sh" topic "curve_latency_$rate" 8
    cat >"$out/curves/latency_$rate.toml" <<EOF
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "curve_latency_$rate"
topic = "curve_latency_$rate"
$(printf '[[kafka.input.columns]]\nname = "%s"\ntype = "%s"\n' c_custkey integer c_name text c_address text \
        c_nationkey int c_phone text c_acctbal float8 c_mktsegment text c_comment text)
[kafka.output]
output_table = "curve_latency"
[[kafka.output.mappings]]
name = "c_custkey"
key = "c_custkey"
[[kafka.output.mappings]]
name = "sent_at"
key = "_timestamp"
EOF
    "$bin/dgkafka" setup "$out/curves/latency_$rate.toml" >/dev/null
    sql "TRUNCATE curve_latency"
    "$bin/dgkafka" load "$out/curves/latency_$rate.toml" >/dev/null 2>"$out/curves/latency.err" &
    loader=$!
    "$bin/csv2kafka" -q --limit 1 -d '|' -w '|' "$KAFKA_BROKERS" "curve_latency_$rate" "$customer" >/dev/null
    for _ in $(seq 1 600); do [ "$(sql "SELECT count(*) FROM curve_latency")" -ge 1 ] && break; sleep 0.1; done
    sql "TRUNCATE curve_latency"
    "$bin/csv2kafka" -q --rate "$rate" --limit "$count" -d '|' -w '|' "$KAFKA_BROKERS" "curve_latency_$rate" "$customer" >/dev/null
    for _ in $(seq 1 600); do
        [ "$(sql "SELECT count(*) FROM curve_latency")" -ge "$count" ] && break
        sleep 0.1
    done
    kill -TERM "$loader"
    wait "$loader" || true
    sql "SELECT '| $rate | ' || round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - sent_at)))
         || ' | ' || round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - sent_at)))
         || ' | ' || count(*) || ' |' FROM curve_latency" | tee -a "$report"
done

# --- plot -------------------------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
    gnuplot <<EOF
set terminal svg size 1100,700 dynamic font "sans,11"
set output "$out/curves.svg"
set multiplot layout 2,3 title "dgkafka cost curves ($ROWS customer rows a point; $(date -u +%Y-%m-%d))"
set grid
set key off
set logscale x
set xlabel "message bytes"; set ylabel "MB/s"
plot "$out/curves/size.dat" using 1:3 with linespoints
set xlabel "partitions"; set ylabel "rows/s"
plot "$out/curves/partitions.dat" using 1:2 with linespoints
unset logscale x
set xlabel "loaders"; set ylabel "rows/s"
plot "$out/curves/loaders.dat" using 1:2 with linespoints
set logscale x
set xlabel "max_row"; set ylabel "rows/s"
plot "$out/curves/batch.dat" using 1:2 with linespoints
unset logscale x
set xlabel "% of rows refused by the database"; set ylabel "rows/s"
plot "$out/curves/refused.dat" using 1:2 with linespoints
set logscale x
set xlabel "message bytes"; set ylabel "peak RSS MB"
plot "$out/curves/size.dat" using 1:4 with linespoints
unset multiplot
EOF
    log "plot: $out/curves.svg"
fi
log "report: $report"
