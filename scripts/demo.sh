#!/usr/bin/env bash
# The main job end to end on a local sandbox: build, start PostgreSQL and the mock broker,
# create the topic, seed it with the spec's customer CSV through csv2kafka, then
# `dgkafka setup`, `dgkafka load -quit-at-eof`, `dgkafka check`, and show the loaded rows.
# The sandbox is stopped at the end unless KEEP_SANDBOX=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/build}"
example="$here/examples/customer-csv"
bash "$here/scripts/build.sh" >/dev/null

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "start the sandbox (PostgreSQL + Kafka-protocol mock broker on 127.0.0.1)"
env_file=$("$here/scripts/sandbox.sh" start)
[ "${KEEP_SANDBOX:-0}" = 1 ] || trap '"$here/scripts/sandbox.sh" stop' EXIT
# shellcheck disable=SC1090
source "$env_file"
echo "PostgreSQL at $PGHOST:$PGPORT, Kafka at $KAFKA_BROKERS"

work="$DGKAFKA_SANDBOX/demo"
mkdir -p "$work"
sed "s|^  brokers = .*|  brokers = \"$KAFKA_BROKERS\"|" "$example/dgkafka.toml" >"$work/dgkafka.toml"

step "create topic customer with 3 partitions"
"$here/scripts/sandbox.sh" topic customer 3

step "csv2kafka -d '|' -w '|' \$KAFKA_BROKERS customer customer.csv"
"$BUILD_DIR/apps/csv2kafka" -d '|' -w '|' "$KAFKA_BROKERS" customer "$example/customer.csv"

step "create the output table, then dgkafka setup dgkafka.toml"
psql -q -X -f "$example/schema.sql"
"$BUILD_DIR/apps/dgkafka" setup "$work/dgkafka.toml"

step "dgkafka load -quit-at-eof dgkafka.toml"
"$BUILD_DIR/apps/dgkafka" load -quit-at-eof "$work/dgkafka.toml"

step "dgkafka check dgkafka.toml"
"$BUILD_DIR/apps/dgkafka" check "$work/dgkafka.toml"

step "SELECT * FROM customer"
psql -X -c 'SELECT c_custkey, c_name, c_nationkey, c_acctbal, c_mktsegment FROM customer ORDER BY c_custkey'

step "a second load finds nothing new (exactly once)"
"$BUILD_DIR/apps/dgkafka" load -quit-at-eof "$work/dgkafka.toml"
psql -X -tA -c 'SELECT count(*) || '"' rows in customer'"' FROM customer'
