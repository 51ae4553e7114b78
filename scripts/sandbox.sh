#!/usr/bin/env bash
# The local sandbox used by the demo, the tests and the benchmarks: a throwaway PostgreSQL
# cluster, a Kafka-protocol broker (librdkafka's mock cluster) and a Schema Registry stand-in
# (scripts/schema_registry.py), all on 127.0.0.1.
#
#   scripts/sandbox.sh start              fresh servers; writes $SANDBOX/env (source it)
#   scripts/sandbox.sh stop               stops both, leaves no process or port behind
#   scripts/sandbox.sh topic NAME N       creates topic NAME with N partitions
#   scripts/sandbox.sh broker down|up ID  takes broker ID (1.., -1 = all) down or up
#   scripts/sandbox.sh pg restart|stop|start   for fault tests
#   scripts/sandbox.sh registry PORT DATA [ARGS]  another registry stand-in (for fault tests); prints its pid
#   scripts/sandbox.sh citus start|stop   a Citus cluster (a coordinator and two workers); writes
#                                         $SANDBOX/citus.env, or the reason there is none
#   scripts/sandbox.sh citus stop|start|restart|kill NODE   a node (coordinator, worker1, worker2)
#
# BUILD_DIR (default: build) holds the broker binary and the sandbox folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$here/build}"
SANDBOX="${SANDBOX:-$BUILD_DIR/sandbox}"
ENV_FILE="$SANDBOX/env"

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$dir/initdb" ] || { echo "sandbox: PostgreSQL server not installed (run scripts/deps.sh)" >&2; exit 1; }
    echo "$dir"
}

# Runs a server command as the postgres user when we are root (PostgreSQL refuses root).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Free: nothing listens there, and no connection uses it as its local port either (a client's
# ephemeral port is not listening, yet a server cannot bind it).
port_free() {
    if command -v ss >/dev/null; then
        [ -z "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
    else
        ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

free_port() {
    local p
    for p in $(seq "${1}" $((${1} + 200))); do
        if port_free "$p"; then echo "$p"; return; fi
    done
    echo "sandbox: no free port from $1" >&2
    exit 1
}

control() {
    # One command to the broker's control port, one reply line back.
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    local reply
    exec 3<>"/dev/tcp/${KAFKA_CONTROL%:*}/${KAFKA_CONTROL#*:}"
    printf '%s\n' "$*" >&3
    read -r reply <&3
    exec 3>&-
    echo "$reply"
    [[ $reply == ok* ]]
}

start_pg() {
    local bin pgroot port
    bin=$(pg_bin)
    pgroot="$SANDBOX/pg"
    mkdir -p "$pgroot"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$pgroot"
        # The postgres user must reach the folder; when a parent is closed to it, use /tmp.
        if ! runuser -u postgres -- test -w "$pgroot"; then
            pgroot=$(mktemp -d /tmp/dgkafka-sandbox-pg.XXXXXX)
            chown postgres "$pgroot"
        fi
    fi
    port=$(free_port "${DGKAFKA_PGPORT:-54320}")
    as_pg "$bin/initdb" -D "$pgroot/data" -U postgres --auth=trust -E UTF8 --locale=C -N >"$SANDBOX/initdb.log"
    cat >>"$pgroot/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$pgroot'
fsync = off
max_connections = 200
log_min_messages = warning
CONF
    as_pg "$bin/pg_ctl" -D "$pgroot/data" -l "$pgroot/server.log" -w -t 60 start >/dev/null
    as_pg "$bin/createdb" -h "$pgroot" -p "$port" -U postgres dgkafka
    cat >>"$ENV_FILE.tmp" <<ENV
export PGHOST='$pgroot'
export PGPORT='$port'
export PGUSER='postgres'
export PGDATABASE='dgkafka'
# The sandbox server has no TLS: say so, since dgkafka's default (the manual's) is sslmode=require.
export PGSSLMODE='disable'
export DGKAFKA_PGDATA='$pgroot/data'
export DGKAFKA_PGBIN='$bin'
ENV
}

start_broker() {
    local broker="$BUILD_DIR/apps/dgkafka-mockbroker"
    [ -x "$broker" ] || { echo "sandbox: $broker not built (run scripts/build.sh)" >&2; exit 1; }
    "$broker" --daemon --brokers "${DGKAFKA_BROKERS_COUNT:-3}" --env-file "$SANDBOX/broker.env" \
        --log "$SANDBOX/broker.log"
    sed 's/^/export /' "$SANDBOX/broker.env" >>"$ENV_FILE.tmp"
}

# Starts a registry stand-in in the background and waits until it answers; prints its pid.
run_registry() {
    local port=$1 data=$2
    shift 2
    /usr/bin/python3 "$here/scripts/schema_registry.py" --port "$port" --data "$data" "$@" \
        </dev/null >>"$SANDBOX/registry.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do
        port_listening "$port" && { echo "$pid"; return; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "sandbox: the schema registry stand-in did not start (see $SANDBOX/registry.log)" >&2
    exit 1
}

start_registry() {
    local port pid
    port=$(free_port $((${DGKAFKA_PGPORT:-54320} + 300)))
    pid=$(run_registry "$port" "$SANDBOX/registry.json")
    cat >>"$ENV_FILE.tmp" <<ENV
export SCHEMA_REGISTRY_URL='http://127.0.0.1:$port'
export SCHEMA_REGISTRY_DATA='$SANDBOX/registry.json'
export SCHEMA_REGISTRY_PID='$pid'
ENV
}

# A Citus cluster: three PostgreSQL 15 servers with citus preloaded, the coordinator knowing both
# workers. Citus is built by ../shared/citus/build.sh (CI runs it); without it citus.env only says why.
CITUS_ENV="$SANDBOX/citus.env"
CITUS_NODES=(coordinator worker1 worker2)

citus_start() {
    citus_stop
    local bin reason=""
    bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
    if [ -z "$bin" ] || [ ! -f /usr/lib/postgresql/15/lib/citus.so ]; then
        reason="Citus is not installed into PostgreSQL 15 (run ../shared/citus/build.sh, or point DGKAFKA_CITUS_* at a cluster: README, Citus)"
        echo "export CITUS_SKIP_REASON='$reason'" >"$CITUS_ENV"
        echo "sandbox: no Citus cluster: $reason" >&2
        return 0
    fi
    local root="$SANDBOX/citus" port node i=0 ports=()
    rm -rf "$root"
    mkdir -p "$root"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$root"
        if ! runuser -u postgres -- test -w "$root"; then
            root=$(mktemp -d /tmp/dgkafka-sandbox-citus.XXXXXX)
            chown postgres "$root"
        fi
    fi
    port=$((${DGKAFKA_PGPORT:-54320} + 600))
    : >"$CITUS_ENV.tmp"
    local tries
    for node in "${CITUS_NODES[@]}"; do
        # A node left by a start that failed half-way (no citus.env to stop it by): gone first.
        if [ -d "$root/$node" ]; then
            [ -f "$root/$node/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$root/$node" -m immediate -w stop >/dev/null 2>&1
            rm -rf "${root:?}/$node"
        fi
        as_pg "$bin/initdb" -D "$root/$node" -U postgres --auth=trust -E UTF8 --locale=C -N >>"$SANDBOX/initdb.log"
        cat >>"$root/$node/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$root'
shared_preload_libraries = 'citus'
max_prepared_transactions = 100
max_connections = 200
fsync = off
log_min_messages = warning
citus.log_remote_commands = off
CONF
        # Another sandbox (engineers share a machine) may take a free port before this server binds
        # it: then the next one.
        for tries in 1 2 3 4 5; do
            port=$(free_port "$port")
            echo "port = $port" >"$root/$node/port.conf"
            grep -q "^include 'port.conf'" "$root/$node/postgresql.conf" ||
                echo "include 'port.conf'" >>"$root/$node/postgresql.conf"
            as_pg "$bin/pg_ctl" -D "$root/$node" -l "$root/$node.log" -w -t 60 start >/dev/null && break
            [ "$tries" -lt 5 ] || { echo "sandbox: Citus $node did not start (see $root/$node.log)" >&2; exit 1; }
            port=$((port + 1))
        done
        ports+=("$port")
        as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dgkafka
        as_pg "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d dgkafka -c 'CREATE EXTENSION citus' >/dev/null
        # hll for the real-time dashboard's distinct counts, where Debian's package is installed.
        if [ -f /usr/share/postgresql/15/extension/hll.control ]; then
            as_pg "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d dgkafka -c 'CREATE EXTENSION hll' >/dev/null
        fi
        echo "export CITUS_${node^^}_PORT='$port'" >>"$CITUS_ENV.tmp"
        echo "export CITUS_${node^^}_DATA='$root/$node'" >>"$CITUS_ENV.tmp"
        port=$((port + 1))
        i=$((i + 1))
    done
    as_pg "$bin/psql" -X -q -h 127.0.0.1 -p "${ports[0]}" -U postgres -d dgkafka -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]});
SELECT citus_add_node('127.0.0.1', ${ports[1]});
SELECT citus_add_node('127.0.0.1', ${ports[2]});
SQL
    cat >>"$CITUS_ENV.tmp" <<ENV
export CITUS_HOST='127.0.0.1'
export CITUS_PORT='${ports[0]}'
export CITUS_USER='postgres'
export CITUS_DATABASE='dgkafka'
export CITUS_ROOT='$root'
export CITUS_PGBIN='$bin'
ENV
    mv "$CITUS_ENV.tmp" "$CITUS_ENV"
    echo "$CITUS_ENV"
}

citus_stop() {
    [ -f "$CITUS_ENV" ] || return 0
    # shellcheck disable=SC1090
    source "$CITUS_ENV"
    if [ -n "${CITUS_ROOT:-}" ]; then
        local node
        for node in "${CITUS_NODES[@]}"; do
            [ -f "$CITUS_ROOT/$node/postmaster.pid" ] &&
                as_pg "$CITUS_PGBIN/pg_ctl" -D "$CITUS_ROOT/$node" -m immediate -w stop >/dev/null || true
        done
        case "$CITUS_ROOT" in /tmp/dgkafka-sandbox-citus.*) rm -rf "$CITUS_ROOT" ;; esac
    fi
    rm -f "$CITUS_ENV"
}

# One node of the cluster: stop (fast), kill (immediate), start, restart (immediate).
citus_node() {
    # shellcheck disable=SC1090
    source "$CITUS_ENV"
    [ -n "${CITUS_ROOT:-}" ] || { echo "sandbox: no Citus cluster: ${CITUS_SKIP_REASON:-}" >&2; exit 1; }
    local data="$CITUS_ROOT/$2"
    [ -d "$data" ] || { echo "sandbox: no Citus node $2 (coordinator, worker1, worker2)" >&2; exit 2; }
    case "$1" in
        stop) as_pg "$CITUS_PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null ;;
        kill) as_pg "$CITUS_PGBIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null ;;
        start) as_pg "$CITUS_PGBIN/pg_ctl" -D "$data" -l "$CITUS_ROOT/$2.log" -w -t 60 start >/dev/null ;;
        restart) as_pg "$CITUS_PGBIN/pg_ctl" -D "$data" -l "$CITUS_ROOT/$2.log" -m immediate -w -t 60 restart >/dev/null ;;
        *) echo "usage: $0 citus stop|kill|start|restart NODE" >&2; exit 2 ;;
    esac
}

stop_all() {
    citus_stop
    [ -f "$ENV_FILE" ] || return 0
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    if [ -n "${MOCKBROKER_PID:-}" ] && kill -0 "$MOCKBROKER_PID" 2>/dev/null; then
        control stop >/dev/null || kill "$MOCKBROKER_PID" 2>/dev/null || true
        timeout 20 tail --pid="$MOCKBROKER_PID" -f /dev/null || kill -9 "$MOCKBROKER_PID" 2>/dev/null || true
    fi
    if [ -n "${SCHEMA_REGISTRY_PID:-}" ]; then kill "$SCHEMA_REGISTRY_PID" 2>/dev/null || true; fi
    if [ -f "${DGKAFKA_PGDATA:-/nonexistent}/postmaster.pid" ]; then
        as_pg "$DGKAFKA_PGBIN/pg_ctl" -D "$DGKAFKA_PGDATA" -m fast -w stop >/dev/null || true
    fi
    case "${PGHOST:-}" in /tmp/dgkafka-sandbox-pg.*) rm -rf "$PGHOST" ;; esac
    rm -f "$ENV_FILE"
}

case "${1:-}" in
    start)
        stop_all
        rm -rf "$SANDBOX"
        mkdir -p "$SANDBOX"
        : >"$ENV_FILE.tmp"
        echo "export DGKAFKA_SANDBOX='$SANDBOX'" >>"$ENV_FILE.tmp"
        echo "export BUILD_DIR='$BUILD_DIR'" >>"$ENV_FILE.tmp"
        start_pg
        start_broker
        start_registry
        mv "$ENV_FILE.tmp" "$ENV_FILE"
        echo "$ENV_FILE"
        ;;
    stop) stop_all ;;
    topic)
        [ $# -eq 3 ] || { echo "usage: $0 topic NAME PARTITIONS" >&2; exit 2; }
        control create "$2" "$3" >/dev/null
        ;;
    broker)
        [ $# -eq 3 ] || { echo "usage: $0 broker down|up ID" >&2; exit 2; }
        control "$2" "$3" >/dev/null
        ;;
    pg)
        # shellcheck disable=SC1090
        source "$ENV_FILE"
        case "${2:-}" in
            restart) as_pg "$DGKAFKA_PGBIN/pg_ctl" -D "$DGKAFKA_PGDATA" -m immediate -w restart -l "$PGHOST/server.log" >/dev/null ;;
            stop) as_pg "$DGKAFKA_PGBIN/pg_ctl" -D "$DGKAFKA_PGDATA" -m immediate -w stop >/dev/null ;;
            start) as_pg "$DGKAFKA_PGBIN/pg_ctl" -D "$DGKAFKA_PGDATA" -w start -l "$PGHOST/server.log" >/dev/null ;;
            *) echo "usage: $0 pg restart|stop|start" >&2; exit 2 ;;
        esac
        ;;
    registry)
        [ $# -ge 3 ] || { echo "usage: $0 registry PORT DATA [ARGS]" >&2; exit 2; }
        shift
        run_registry "$@"
        ;;
    citus)
        case "${2:-}" in
            start) [ $# -eq 2 ] && { mkdir -p "$SANDBOX"; citus_start; exit 0; } ;;
            stop) [ $# -eq 2 ] && { citus_stop; exit 0; } ;;
        esac
        [ $# -eq 3 ] || { echo "usage: $0 citus start|stop, or $0 citus stop|kill|start|restart NODE" >&2; exit 2; }
        citus_node "$2" "$3"
        ;;
    env) echo "$ENV_FILE" ;;
    *)
        sed -n '2,17p' "$0" >&2
        exit 2
        ;;
esac
