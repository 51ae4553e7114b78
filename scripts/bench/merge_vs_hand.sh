#!/usr/bin/env bash
# The (7) measurement of scripts/bench.sh alone, with more repetitions: dgkafka's merge mode
# against the same upserts written by hand in psql, taking turns going first. Uses the data
# files scripts/bench.sh wrote (run it once first, default ROWS).
#   REPEAT=7 bash scripts/bench/merge_vs_hand.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}" SANDBOX="${SANDBOX:-/tmp/dgkafka_merge}"
REPEAT="${REPEAT:-7}"
out="$BUILD_DIR/bench"
bin="$BUILD_DIR/apps"
[ -f "$out/upserts.sql" ] && [ -f "$out/upsert.toml" ] || { echo "run scripts/bench.sh first" >&2; exit 1; }

env_file=$("$here/scripts/sandbox.sh" start)
trap '"$here/scripts/sandbox.sh" stop' EXIT
source "$env_file"
sql() { psql -qXtA -v ON_ERROR_STOP=1 -c "$1"; }
sql "CREATE TABLE upsert (k int PRIMARY KEY, seq int, v text);
     CREATE TABLE upsert_psql (k int PRIMARY KEY, seq int, v text);
     CREATE UNLOGGED TABLE upsert_stage (k int, seq int, v text);"
"$here/scripts/sandbox.sh" topic bench_upserts 8
awk -F'|' '{ print $1 "\t" $0 }' "$out/upserts_400000_50000.csv" | kcat -P -b "$KAFKA_BROKERS" -t bench_upserts -K '\t'
sed "s/^brokers = .*/brokers = \"$KAFKA_BROKERS\"/" "$out/upsert.toml" >"$SANDBOX.upsert.toml"
"$bin/dgkafka" setup "$SANDBOX.upsert.toml" >/dev/null

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
hand() { sql "TRUNCATE upsert_psql"; seconds psql -qX -v ON_ERROR_STOP=1 -f "$out/upserts.sql"; }
merge() { sql "TRUNCATE upsert"; seconds "$bin/dgkafka" load -quit-at-eof -force-reset-earliest "$SANDBOX.upsert.toml"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
h="" m=""
for ((r = 1; r <= REPEAT; r++)); do
    if ((r % 2)); then h+="$(hand) "; m+="$(merge) "; else m+="$(merge) "; h+="$(hand) "; fi
done
[ "$(sql "SELECT count(*) FROM upsert u JOIN upsert_psql p USING (k, seq, v)")" -eq "$(sql "SELECT count(*) FROM upsert_psql")" ] ||
    { echo "dgkafka merge and the hand-written upserts disagree" >&2; exit 1; }
mh=$(echo "$h" | median) mm=$(echo "$m" | median)
echo "psql by hand: $h(median $mh s)"
echo "dgkafka merge: $m(median $mm s)"
echo "ratio of medians: $(echo "scale=2; $mm / $mh" | bc)"
