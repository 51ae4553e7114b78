#!/usr/bin/env bash
# Two dgkafka builds side by side (OLD, NEW: paths) on the (4) JSON and (7) merge loads of
# scripts/bench.sh (run it first: its data files), alternating, three runs each.
#   OLD=/path/to/old/dgkafka NEW=build/apps/dgkafka bash scripts/bench/ab_binaries.sh
set -euo pipefail
: "${OLD:?path of the old dgkafka}" "${NEW:?path of the new dgkafka}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}" SANDBOX="${SANDBOX:-/tmp/dgkafka_ab}"

env_file=$("$here/scripts/sandbox.sh" start)
trap '"$here/scripts/sandbox.sh" stop' EXIT
source "$env_file"
out="$BUILD_DIR/bench"
sql() { psql -qXtA -v ON_ERROR_STOP=1 -c "$1"; }
sql "CREATE TABLE http_request (site_id int, ingest_time timestamptz, url text, request_country char(2),
       ip_address inet, status_code int, response_time_msec int);
     CREATE TABLE upsert (k int PRIMARY KEY, seq int, v text);"
"$here/scripts/sandbox.sh" topic bench_events 64
kcat -P -b "$KAFKA_BROKERS" -t bench_events -X sticky.partitioning.linger.ms=0 -l "$out/events_1000000.json"
"$here/scripts/sandbox.sh" topic bench_upserts 8
awk -F'|' '{ print $1 "\t" $0 }' "$out/upserts_400000_50000.csv" | kcat -P -b "$KAFKA_BROKERS" -t bench_upserts -K '\t'
for c in json upsert; do sed "s/^brokers = .*/brokers = \"$KAFKA_BROKERS\"/" "$out/$c.toml" > $SANDBOX.ab_$c.toml; done
$NEW setup $SANDBOX.ab_json.toml >/dev/null; $NEW setup $SANDBOX.ab_upsert.toml >/dev/null
for i in 1 2 3; do
  for v in OLD NEW; do
    b=${!v}
    for c in json upsert; do
      t=$([ $c = json ] && echo http_request || echo upsert)
      sql "TRUNCATE $t"
      s=$(date +%s.%N); $b load -quit-at-eof -force-reset-earliest $SANDBOX.ab_$c.toml >/dev/null 2>&1; e=$(date +%s.%N)
      echo "$v $c $(echo "$e - $s" | bc) rows=$(sql "SELECT count(*) FROM $t")"
    done
  done
done
