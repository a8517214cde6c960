#!/usr/bin/env bash
# make cluster / make cluster-stop: the shape of a company that outgrew one Odoo
# server, on this machine. A PostgreSQL primary and a streaming replica made from
# it with pg_basebackup (private clusters, sockets only), two Odoo servers with
# prefork workers on the primary, both sending their read-only requests to the
# replica (db_replica_host/db_replica_port), sharing one data_dir (sessions and
# filestore); the demo database in it.
#
#   scripts/cluster.sh start | stop | stop-replica | status
#   CLUSTER_DB (sc_cluster), CLUSTER_FROM_DB (copy that database of the project's
#   cluster instead of building the demo), CLUSTER_HTTP_PORTS ("8071 8072"; each
#   server's gevent port is its HTTP port + 10), CLUSTER_PRIMARY_PORT (54341),
#   CLUSTER_REPLICA_PORT (54342), CLUSTER_WORKERS (2), CLUSTER_PRIMARY_LOG and
#   CLUSTER_REPLICA_LOG (each node's log_statement: none; "all" logs every
#   statement, as the tests read which node answered),
#   CLUSTER_PG and CLUSTER_RUN (where the nodes and the servers' files live).
#   CLUSTER_PRIMARY=project: the project's own cluster (make test's, make bench's)
#   is the primary, and the replica is made from it, so that the servers run on
#   a database it holds (CLUSTER_DB=sc_bench for bench/cluster.py) without a copy.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
action=${1:-start}

CLUSTER_PG=${CLUSTER_PG:-$PG_DIR.cluster}
[ "${CLUSTER_PRIMARY:-}" != project ] || [ -z "${CLUSTER_FROM_DB:-}" ] \
    || die "CLUSTER_PRIMARY=project serves the project's databases: no CLUSTER_FROM_DB."
CLUSTER_RUN=${CLUSTER_RUN:-$RUN_DIR/cluster}
PRIMARY_PORT=${CLUSTER_PRIMARY_PORT:-54341}
PRIMARY_SOCKET=$CLUSTER_PG/primary/run
if [ "${CLUSTER_PRIMARY:-}" = project ]; then
    PRIMARY_PORT=$PG_PRIVATE_PORT
    PRIMARY_SOCKET=$PG_DIR/run
fi
REPLICA_PORT=${CLUSTER_REPLICA_PORT:-54342}
read -r -a HTTP_PORTS <<<"${CLUSTER_HTTP_PORTS:-8071 8072}"
DB=${CLUSTER_DB:-sc_cluster}
WORKERS=${CLUSTER_WORKERS:-2}
PRIMARY_LOG=${CLUSTER_PRIMARY_LOG:-none}
REPLICA_LOG=${CLUSTER_REPLICA_LOG:-none}

command -v initdb >/dev/null || [ -n "$(pg_bin)" ] || ensure_debs postgresql
bin=$(pg_bin) || die "no PostgreSQL server binaries."
# PostgreSQL refuses to run as root: the nodes belong to the postgres account (as
# the project's own cluster does, see pg_up).
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    as_pg=(runuser -u postgres -- env -C /)
fi

node_dir() { printf '%s/%s' "$CLUSTER_PG" "$1"; }
node_running() { "${as_pg[@]}" "$bin/pg_ctl" -D "$(node_dir "$1")/data" status >/dev/null 2>&1; }

node_start() {
    local name=$1 dir; dir=$(node_dir "$1")
    node_running "$name" && return 0
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
        || die "the $name node did not start: see $dir/server.log."
}

node_stop() {
    local dir; dir=$(node_dir "$1")
    [ -f "$dir/data/PG_VERSION" ] && node_running "$1" \
        && "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    return 0
}

# Settings both nodes share; each node's own follow them (the last one wins).
node_conf() {
    cat <<CONF
listen_addresses = ''
port = $2
unix_socket_directories = '$(node_dir "$1")/run'
max_connections = 300
shared_buffers = 256MB
work_mem = 16MB
fsync = off
synchronous_commit = off
wal_level = replica
max_wal_senders = 10
wal_keep_size = '1GB'
hot_standby = on
hot_standby_feedback = on
log_statement = '$3'
log_line_prefix = '%m [%p] %a %d '
CONF
}

primary_psql() { "$bin/psql" -h "$PRIMARY_SOCKET" -p "$PRIMARY_PORT" -U postgres -d postgres "$@"; }

start_nodes() {
    mkdir -p "$CLUSTER_PG"
    if [ "$(id -u)" -eq 0 ]; then
        chmod 755 "$(dirname "$CLUSTER_PG")"
        chown postgres: "$CLUSTER_PG"
    fi
    local primary; primary=$(node_dir primary)
    if [ "${CLUSTER_PRIMARY:-}" = project ]; then
        pg_up
    elif [ ! -f "$primary/data/PG_VERSION" ]; then
        say "== the primary: a new private cluster in $primary"
        "${as_pg[@]}" mkdir -p "$primary/run"
        "${as_pg[@]}" "$bin/initdb" -D "$primary/data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null || die "initdb of $primary/data failed."
        node_conf primary "$PRIMARY_PORT" "$PRIMARY_LOG" | "${as_pg[@]}" tee -a "$primary/data/postgresql.conf" >/dev/null
    fi
    [ "${CLUSTER_PRIMARY:-}" = project ] || node_start primary
    primary_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ODOO_DB_USER'" | grep -q 1 \
        || primary_psql -qc "CREATE ROLE \"$ODOO_DB_USER\" LOGIN SUPERUSER"
    local replica; replica=$(node_dir replica)
    if [ ! -f "$replica/data/PG_VERSION" ]; then
        say "== the replica: pg_basebackup of the primary, streaming, in $replica"
        "${as_pg[@]}" mkdir -p "$replica/run"
        "${as_pg[@]}" "$bin/pg_basebackup" -D "$replica/data" -h "$PRIMARY_SOCKET" -p "$PRIMARY_PORT" \
            -U postgres -R -X stream -c fast || die "pg_basebackup failed."
        node_conf replica "$REPLICA_PORT" "$REPLICA_LOG" | "${as_pg[@]}" tee -a "$replica/data/postgresql.conf" >/dev/null
    fi
    node_start replica
}

make_database() {
    PG_HOST=$PRIMARY_SOCKET; PG_PORT=$PRIMARY_PORT; PG_USER=$ODOO_DB_USER; PG_PASSWORD=""
    write_odoo_conf "$CLUSTER_RUN/build.conf" "workers = 0" "max_cron_threads = 0"
    if psql_cmd -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        if [ -z "${CLUSTER_FROM_DB:-}" ]; then
            say "== $DB: updating the addon"
            "$ODOO_PY" -m odoo server -c "$CLUSTER_RUN/build.conf" -d "$DB" \
                --data-dir="$CLUSTER_RUN/data" -u sales_coordination --stop-after-init \
                --log-level=warn
        fi
        return 0
    fi
    mkdir -p "$CLUSTER_RUN/data/filestore"
    if [ -n "${CLUSTER_FROM_DB:-}" ]; then
        say "== $DB: a copy of $CLUSTER_FROM_DB"
        psql_cmd -qc "CREATE DATABASE \"$DB\""
        (pg_up && PGPASSWORD=$PG_PASSWORD "$bin/pg_dump" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
            -Fc "$CLUSTER_FROM_DB") \
            | "$bin/pg_restore" -h "$PRIMARY_SOCKET" -p "$PRIMARY_PORT" -U "$ODOO_DB_USER" \
                -d "$DB" --no-owner || die "copying $CLUSTER_FROM_DB failed."
        if [ -d "$RUN_DIR/filestore/filestore/$CLUSTER_FROM_DB" ]; then
            rm -rf "$CLUSTER_RUN/data/filestore/$DB"
            cp -r "$RUN_DIR/filestore/filestore/$CLUSTER_FROM_DB" "$CLUSTER_RUN/data/filestore/$DB"
        fi
    else
        say "== $DB: the addon and its demo data (once; kept, and updated, for the next start)"
        "$ODOO_PY" -m odoo server -c "$CLUSTER_RUN/build.conf" -d "$DB" \
            --data-dir="$CLUSTER_RUN/data" -i sales_coordination --stop-after-init --log-level=warn
    fi
}

start_servers() {
    PG_HOST=$PRIMARY_SOCKET; PG_PORT=$PRIMARY_PORT; PG_USER=$ODOO_DB_USER; PG_PASSWORD=""
    local port
    for port in "${HTTP_PORTS[@]}"; do
        local pidfile=$CLUSTER_RUN/odoo-$port.pid
        if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            continue
        fi
        write_odoo_conf "$CLUSTER_RUN/odoo-$port.conf" \
            "http_port = $port" \
            "workers = $WORKERS" \
            "max_cron_threads = 1" \
            "db_name = $DB" \
            "dbfilter = ^$DB\$" \
            "list_db = False" \
            "db_replica_host = $(node_dir replica)/run" \
            "db_replica_port = $REPLICA_PORT"
        setsid "${ODOO_LAUNCHER[@]}" server -c "$CLUSTER_RUN/odoo-$port.conf" \
            --data-dir="$CLUSTER_RUN/data" --gevent-port=$((port + 10)) \
            --pidfile="$pidfile" --logfile="$CLUSTER_RUN/odoo-$port.log" \
            </dev/null >/dev/null 2>&1 &
    done
    for port in "${HTTP_PORTS[@]}"; do
        local tries=0
        until curl -sf -o /dev/null "http://127.0.0.1:$port/web/health"; do
            tries=$((tries + 1))
            [ $tries -lt 120 ] || die "the Odoo server on port $port did not start: see $CLUSTER_RUN/odoo-$port.log."
            sleep 0.5
        done
    done
}

stop_servers() {
    local pidfile pid
    for pidfile in "$CLUSTER_RUN"/odoo-*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        fi
        rm -f "$pidfile"
    done
}

case $action in
start)
    find_odoo
    odoo_launcher
    mkdir -p "$CLUSTER_RUN"
    start_nodes
    make_database
    start_servers
    cat >&2 <<MSG

Several Odoo servers on one primary, reads from its replica ($DB):
$(for port in "${HTTP_PORTS[@]}"; do echo "  http://127.0.0.1:$port  (log: $CLUSTER_RUN/odoo-$port.log)"; done)
  primary  socket $PRIMARY_SOCKET port $PRIMARY_PORT
  replica  socket $(node_dir replica)/run port $REPLICA_PORT
  logins as in 'make demo' (admin / admin, manager / manager, coordinator1 / coordinator1...)
Stop it with 'make cluster-stop'.

MSG
    ;;
stop)
    stop_servers
    node_stop replica
    # The project's own cluster stays up (make stop stops it).
    [ "${CLUSTER_PRIMARY:-}" = project ] || node_stop primary
    ;;
stop-replica)
    # The replica alone (the tests: the servers answer from the primary then).
    node_stop replica
    ;;
status)
    for node in primary replica; do
        node_running "$node" && echo "$node: running" || echo "$node: stopped"
    done
    for port in "${HTTP_PORTS[@]}"; do
        curl -sf -o /dev/null "http://127.0.0.1:$port/web/health" \
            && echo "odoo :$port: running" || echo "odoo :$port: stopped"
    done
    ;;
*)
    die "usage: scripts/cluster.sh start|stop|stop-replica|status"
    ;;
esac
