#!/usr/bin/env bash
# Benchmark (a script to run and read, not a test): the customer rows into a hash-distributed
# Citus table (a coordinator and two workers of the sandbox), dgkafka with the manual's default
# batch settings side by side with psql \copy of the same file into the same kind of table, each
# REPEAT times; then dgkafka again with Citus's own executor pool (what dgkafka's session default
# replaces), and the per-batch cost from the coordinator's statement log.
#
#   scripts/bench_citus.sh                         200,000 rows, 32 shards, 8 partitions, 5 repetitions
#   ROWS=50000 REPEAT=3 LOADERS=4 scripts/bench_citus.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
ROWS="${ROWS:-200000}"
REPEAT="${REPEAT:-5}"
SHARDS="${SHARDS:-32}"
PARTITIONS="${PARTITIONS:-8}"
# shellcheck source=bench/setup.sh
source "$here/scripts/bench/setup.sh"
citus_env=$("$here/scripts/sandbox.sh" citus start)
# shellcheck disable=SC1090
source "$citus_env"
[ -z "${CITUS_SKIP_REASON:-}" ] || { log "no Citus cluster: $CITUS_SKIP_REASON"; exit 1; }
csql() { psql -h 127.0.0.1 -p "$CITUS_PORT" -U postgres -d dgkafka -qXtA -v ON_ERROR_STOP=1 -c "$1"; }
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

csql "CREATE TABLE customer $customer_ddl; SELECT create_distributed_table('customer', 'c_custkey', shard_count := $SHARDS);
      CREATE TABLE customer_psql $customer_ddl; SELECT create_distributed_table('customer_psql', 'c_custkey', shard_count := $SHARDS);" >/dev/null
"$here/scripts/sandbox.sh" topic bench_citus "$PARTITIONS"
kcat -P -b "$KAFKA_BROKERS" -t bench_citus -X sticky.partitioning.linger.ms=0 -l "$customer"
cat >"$out/citus.toml" <<TOML
[dgkafka]
host = "127.0.0.1"
port = $CITUS_PORT
user = "postgres"
database = "dgkafka"
sslmode = "disable"
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "bench_citus"
topic = "bench_citus"
$customer_columns
[kafka.output]
output_table = "customer"
TOML
"$bin/dgkafka" setup "$out/citus.toml" >/dev/null
loaders=()
[ -z "${LOADERS:-}" ] || loaders=(-loaders "$LOADERS")

load() {  # extra environment for dgkafka; prints seconds
    csql "TRUNCATE customer"
    local t0
    t0=$(now)
    env "$@" "$bin/dgkafka" load -quit-at-eof -force-reset-earliest -q "${loaders[@]}" "$out/citus.toml" >/dev/null
    echo "$(now) - $t0" | bc
    [ "$(csql 'SELECT count(*) FROM customer')" = "$ROWS" ] || { log "dgkafka loaded $(csql 'SELECT count(*) FROM customer') rows, not $ROWS"; exit 1; }
}
copy() {
    csql "TRUNCATE customer_psql"
    local t0
    t0=$(now)
    psql -h 127.0.0.1 -p "$CITUS_PORT" -U postgres -d dgkafka -qX -c "\\copy customer_psql from '$customer' with (delimiter '|')"
    echo "$(now) - $t0" | bc
}

: >"$out/citus_times"
for _ in $(seq 1 "$REPEAT"); do
    d=$(load PGOPTIONS=)
    c=$(copy)
    echo "$d $c $(echo "$d / $c" | bc -l)" >>"$out/citus_times"
done
d=$(awk '{print $1}' "$out/citus_times" | median)
c=$(awk '{print $2}' "$out/citus_times" | median)
r=$(awk '{print $3}' "$out/citus_times" | median)
# Citus's default pool (16): a connection per shard placement a COPY touches.
p=$(load PGOPTIONS='-c citus.max_adaptive_executor_pool_size=16')
# Per batch, server side: the coordinator's log of one more load, every statement with its duration.
log_file="$CITUS_ROOT/coordinator.log"
csql "ALTER SYSTEM SET log_min_duration_statement = 0"; csql "SELECT pg_reload_conf()" >/dev/null
from=$(wc -l <"$log_file")
load PGOPTIONS= >/dev/null
csql "ALTER SYSTEM RESET log_min_duration_statement"; csql "SELECT pg_reload_conf()" >/dev/null
tail -n +"$((from + 1))" "$log_file" >"$out/citus_statements.log"
per() {  # statement pattern: median duration in ms, count
    grep -E "duration: [0-9.]+ ms +statement: $1" "$out/citus_statements.log" |
        sed -E 's/.*duration: ([0-9.]+) ms.*/\1/' >"$out/citus_durations" || true
    printf '%s ms (%s)' "$(median <"$out/citus_durations")" "$(wc -l <"$out/citus_durations")"
}
printf '\n%s rows into a %s-shard distributed table (%s partitions), median of %s:\n' "$ROWS" "$SHARDS" "$PARTITIONS" "$REPEAT"
printf '  dgkafka load (manual defaults: max_row 1000)   %6.2f s\n' "$d"
printf '  psql \\copy of the same file                    %6.2f s\n' "$c"
printf '  ratio dgkafka / \\copy (median of pairs)         %6.2f\n' "$r"
printf '  dgkafka with citus.max_adaptive_executor_pool_size = 16 (Citus default), once: %.2f s\n' "$p"
printf '  per batch on the coordinator (median, count): COPY %s, COMMIT %s\n' "$(per 'COPY "customer"')" "$(per 'COMMIT')"
