#!/usr/bin/env bash
# The .deb from `cpack -G DEB`: what it holds, what it depends on, and its binaries run from a
# throwaway root against the sandbox (setup, load, check).
set -euo pipefail
build="$1"
source_dir="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$build"
rm -f dgkafka_*.deb
cpack -G DEB >/dev/null
deb=$(ls dgkafka_*_*.deb)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"

for f in usr/bin/dgkafka usr/bin/csv2kafka usr/share/man/man1/dgkafka.1.gz usr/share/man/man1/csv2kafka.1.gz \
         usr/share/man/man5/dgkafka.toml.5.gz usr/lib/systemd/system/dgkafka@.service \
         usr/share/doc/dgkafka/README.md usr/share/doc/dgkafka/examples/customer-csv/dgkafka.toml; do
    [ -s "$root/$f" ] || fail "$f is not in $deb"
done
# Each file an installed doc links to (relative links, anchors aside) is installed beside it.
doc="$root/usr/share/doc/dgkafka"
for md in "$doc"/*.md; do
    for target in $(grep -o '](\([^)#:]*\)[)#]' "$md" | sed 's/^](//; s/[)#]$//' | sort -u); do
        [ -e "$doc/$target" ] || fail "$(basename "$md") links $target, which is not in $deb"
    done
done
[ -z "$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '^\./usr/' || true)" ] || fail "files outside /usr"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in librdkafka1 libpqxx-6.4 libsystemd0 libspdlog libcpp-httplib; do
    grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
for page in man1/dgkafka.1 man1/csv2kafka.1 man5/dgkafka.toml.5; do
    zcat "$root/usr/share/man/$page.gz" | head -1 | grep -q '^\.TH ' || fail "$page is not a man page"
done
zcat "$root/usr/share/man/man5/dgkafka.toml.5.gz" | grep -q 'metrics_address' || fail "dgkafka.toml(5) lacks a key"
grep -q '^ExecStart=/usr/bin/dgkafka load /etc/dgkafka/%i.toml$' "$root/usr/lib/systemd/system/dgkafka@.service" \
    || fail "unit's ExecStart"
grep -q '^Type=notify$' "$root/usr/lib/systemd/system/dgkafka@.service" || fail "unit's Type"

bin="$root/usr/bin"
"$bin/dgkafka" --version | grep -qx "dgkafka $(dpkg-deb -f "$deb" Version)" || fail "dgkafka --version"
"$bin/csv2kafka" --help | grep -q 'csv2kafka' || fail "csv2kafka --help"

# A job run entirely by the packaged binaries.
set -a
# shellcheck disable=SC1091
source "$build/sandbox/env"
set +a
topic="pkg_$$_$RANDOM"
BUILD_DIR="$build" "$source_dir/scripts/sandbox.sh" topic "$topic" 1
config="$root/job.toml"
cat >"$config" <<TOML
[dgkafka]
[kafka]
brokers = "$KAFKA_BROKERS"
[kafka.input]
format = "csv"
consumer_group = "$topic"
topic = "$topic"
[[kafka.input.columns]]
name = "id"
type = "integer"
[kafka.output]
output_table = "$topic"
TOML
psql -qX -v ON_ERROR_STOP=1 -c "CREATE TABLE \"$topic\" (id integer)"
printf '1\n2\n3\n' | "$bin/csv2kafka" -q "$KAFKA_BROKERS" "$topic" - >/dev/null
"$bin/dgkafka" setup "$config" >/dev/null
"$bin/dgkafka" load -quit-at-eof "$config" | grep -q '^LOAD 3 rows' || fail "load from the package"
[ "$(psql -qXAt -c "SELECT sum(id) FROM \"$topic\"")" = 6 ] || fail "rows loaded"
"$bin/dgkafka" check "$config" >/dev/null || fail "check from the package"
echo "ok: $deb"
