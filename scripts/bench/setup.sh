# Sourced by the benchmark scripts (here, BUILD_DIR and ROWS set): builds, starts a fresh sandbox
# stopped on exit, and defines log, sql, $bin, $out, the customer rows file and their table's DDL.
bin="$BUILD_DIR/apps"
bash "$here/scripts/build.sh" >/dev/null
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
env_file=$("$here/scripts/sandbox.sh" start)
trap '"$here/scripts/sandbox.sh" stop' EXIT
# shellcheck disable=SC1090
source "$env_file"
out="$BUILD_DIR/bench"
mkdir -p "$out"
log() { printf '%s\n' "$*" >&2; }
sql() { psql -qXtA -v ON_ERROR_STOP=1 -c "$1"; }
customer="$out/customer_$ROWS.csv"
[ -s "$customer" ] || awk -v rows="$ROWS" -f "$here/scripts/bench/gen_customer.awk" >"$customer"
customer_ddl="(c_custkey integer, c_name varchar(25), c_address varchar(40), c_nationkey integer,
  c_phone varchar(15), c_acctbal double precision, c_mktsegment varchar(10), c_comment varchar(117))"
# The same columns as dgkafka.toml's [[kafka.input.columns]].
customer_columns=$(printf '[[kafka.input.columns]]\nname = "%s"\ntype = "%s"\n' \
    c_custkey integer c_name 'varchar(25)' c_address 'varchar(40)' c_nationkey integer c_phone 'varchar(15)' \
    c_acctbal 'double precision' c_mktsegment 'varchar(10)' c_comment 'varchar(117)')
