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

stop_all() {
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
    env) echo "$ENV_FILE" ;;
    *)
        sed -n '2,14p' "$0" >&2
        exit 2
        ;;
esac
