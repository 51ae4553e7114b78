#!/usr/bin/env bash
# What rows the database refuses cost: the same CSV customer load (max_row 10,000) into a table
# that refuses none, 1% or 10% of the rows (a CHECK on c_custkey), side by side in one sandbox.
#
#   scripts/bench_refused.sh                   200,000 rows, 3 repetitions
#   ROWS=100000 REPEAT=1 scripts/bench_refused.sh
#   PROFILE=1 ...                              then one more load of each, the server's time by statement
#   BASELINE=/path/to/older/dgkafka ...        the same loads with another build too, interleaved
#   MAPPINGS=1 ...                             through a mapping per column (the staged path)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
ROWS="${ROWS:-200000}"
REPEAT="${REPEAT:-3}"
PARTITIONS=16
bin="$BUILD_DIR/apps"

# shellcheck source=bench/setup.sh
source "$here/scripts/bench/setup.sh"
"$here/scripts/sandbox.sh" topic refused_customer "$PARTITIONS"
kcat -P -b "$KAFKA_BROKERS" -t refused_customer -X sticky.partitioning.linger.ms=0 -l "$customer"

declare -A check=([clean]="true" [one]="c_custkey % 100 <> 0" [ten]="c_custkey % 10 <> 0")
mappings=""
if [ "${MAPPINGS:-0}" = 1 ]; then
    for c in c_custkey c_name c_address c_nationkey c_phone c_acctbal c_mktsegment c_comment; do
        mappings+=$(printf '[[kafka.output.mappings]]\nname = "%s"\nkey = "%s"\n' "$c" "$c")$'\n'
    done
fi
for v in clean one ten; do
    sql "CREATE TABLE refused_$v $customer_ddl; ALTER TABLE refused_$v ADD CHECK (${check[$v]})"
    cat >"$out/refused_$v.toml" <<EOF
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
delimiter = "|"
consumer_group = "refused_$v"
topic = "refused_customer"
$customer_columns
[kafka.output]
output_table = "refused_$v"
$mappings
[kafka.commit]
max_row = 10000
EOF
    "$bin/dgkafka" setup "$out/refused_$v.toml" >/dev/null
done

declare -A times
builds=("$bin/dgkafka")
[ -n "${BASELINE:-}" ] && builds+=("$BASELINE")
for _ in $(seq "$REPEAT"); do
    for v in clean one ten; do
        for b in "${!builds[@]}"; do
            sql "TRUNCATE refused_$v, refused_${v}_rejects"
            start=$(date +%s.%N)
            "${builds[$b]}" load -quit-at-eof -force-reset-earliest "$out/refused_$v.toml" >/dev/null
            end=$(date +%s.%N)
            times[$b$v]+="$(echo "$end - $start" | bc) "
            loaded=$(sql "SELECT count(*) FROM refused_$v")
            rejected=$(sql "SELECT count(*) FROM refused_${v}_rejects")
            [ $((loaded + rejected)) -eq "$ROWS" ] || { echo "refused_$v: $loaded loaded + $rejected rejected != $ROWS" >&2; exit 1; }
        done
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m() { echo "${times[$1]}" | median; }
for b in "${!builds[@]}"; do
    echo "${builds[$b]}:"
    echo "| load of $ROWS rows, max_row 10000 | median s | runs (s) | ratio to clean |"
    echo "| --- | ---: | --- | ---: |"
    for v in clean one ten; do
        echo "| ${v/one/1% refused} | $(m "$b$v") | ${times[$b$v]} | $(echo "scale=2; $(m "$b$v") / $(m "${b}clean")" | bc) |" |
            sed 's/| ten |/| 10% refused |/'
    done
done

[ "${PROFILE:-0}" = 1 ] || exit 0
# Where the server's time goes: every statement's duration, summed by its first words (over the
# loaders, which run at the same time: the sums exceed the wall time).
sql "ALTER SYSTEM SET log_min_duration_statement = 0"
sql "SELECT pg_reload_conf()" >/dev/null
for v in clean one ten; do
    sql "TRUNCATE refused_$v, refused_${v}_rejects"
    from=$(($(wc -l <"$PGHOST/server.log") + 1))
    "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$out/refused_$v.toml" >/dev/null 2>&1
    echo "server time of the ${v/one/1% refused} load (ms, statements):" | sed 's/ten load/10% refused load/'
    tail -n +"$from" "$PGHOST/server.log" | sed -nE 's/.*duration: ([0-9.]+) ms +(statement|execute[^:]*): (.{0,48}).*/\1\t\3/p' |
        awk -F'\t' '{k = $2; gsub(/[0-9]+/, "N", k); s[k] += $1; c[k]++} END {for (k in s) printf "%9.1f %6d  %s\n", s[k], c[k], k}' |
        sort -rn | head -8
done
sql "ALTER SYSTEM RESET log_min_duration_statement"
sql "SELECT pg_reload_conf()" >/dev/null
