# shellcheck shell=bash
# Shared by the make targets: where Odoo is, where PostgreSQL is, and how to reach both.
# Sourced, never run. Every function prints its own one-line error and returns non-zero.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The repository's addons: the addon and its bridges to other Odoo apps.
# shellcheck disable=SC2034  # used by the scripts that source this file
ADDONS=(sales_coordination sales_coordination_website sales_coordination_sms
    sales_coordination_calendar_sync sales_coordination_google_calendar
    sales_coordination_microsoft_calendar sales_coordination_sale)
ODOO_HOME=${ODOO_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_coordination/odoo-18.0}
# The private PostgreSQL cluster. As root it runs as the postgres account, which
# cannot reach a checkout under a private parent (a home of mode 700, mktemp -d):
# it then lives under /var/tmp, one per checkout, and the checkout's permissions
# stay as they are. Otherwise it is .pg/ in the checkout.
if [ -z "${PG_DIR:-}" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        PG_DIR=/var/tmp/sales_coordination-pg/$(printf '%s' "$TOP" | sha256sum | cut -c1-16)
    else
        PG_DIR=$TOP/.pg
    fi
fi
PG_PRIVATE_PORT=${PG_PRIVATE_PORT:-54329}
TEST_DB=${TEST_DB:-sc_test}
DEMO_DB=${DEMO_DB:-sc_demo}
ODOO_DB_USER=${ODOO_DB_USER:-odoo}

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

# An Odoo 18.0 source tree: the directory holding odoo/release.py.
is_odoo_src() { [ -f "$1/odoo/release.py" ] && grep -q "^version_info = (18, 0," "$1/odoo/release.py"; }

# Fingerprint of what the environment is built from: Odoo's requirements, ours, and the
# build script itself. A change to any of them rebuilds.
env_stamp() {
    cat "$1/requirements.txt" "$TOP/requirements.txt" "$TOP/requirements-test.txt" \
        "$TOP/scripts/build_env.sh" \
        | sha256sum | cut -c1-16
}

# Sets ODOO_PY (a Python that imports odoo 18.0) and ODOO_ROOT (its source tree).
find_odoo() {
    if [ -n "${ODOO_PYTHON:-}" ]; then
        ODOO_ROOT=$("$ODOO_PYTHON" -c 'import odoo, os, sys
assert odoo.release.version_info[:2] == (18, 0), odoo.release.version
print(os.path.dirname(os.path.dirname(odoo.__file__)))') \
            || die "ODOO_PYTHON=$ODOO_PYTHON does not import Odoo 18.0."
        ODOO_PY=$ODOO_PYTHON
        return 0
    fi
    local src=""
    if [ -n "${ODOO_SRC:-}" ]; then
        src=$(cd "$ODOO_SRC" 2>/dev/null && pwd) || die "ODOO_SRC=$ODOO_SRC is not a directory."
        is_odoo_src "$src" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo/release.py of 18.0)."
    elif [ -f "$ODOO_HOME/src" ]; then
        src=$(cat "$ODOO_HOME/src")
        is_odoo_src "$src" || die "the Odoo source $src that built $ODOO_HOME is gone: set ODOO_SRC to an Odoo 18.0 tree (git clone --depth 1 -b 18.0 of Odoo's repository)."
    else
        die "no Odoo 18.0 found: set ODOO_SRC to an Odoo 18.0 source tree (git clone --depth 1 -b 18.0 of Odoo's repository, or any copy), or ODOO_PYTHON to a Python that imports odoo 18.0."
    fi
    if [ "$(cat "$ODOO_HOME/stamp" 2>/dev/null)" != "$(env_stamp "$src")" ] \
        || [ "$(cat "$ODOO_HOME/src" 2>/dev/null)" != "$src" ] \
        || ! "$ODOO_HOME/venv/bin/python" -c 'import odoo' 2>/dev/null; then
        bash "$TOP/scripts/build_env.sh" "$src" "$ODOO_HOME" || die "building the Odoo environment failed (log above)."
    fi
    ODOO_PY=$ODOO_HOME/venv/bin/python
    ODOO_ROOT=$src
}

# The command that starts an Odoo server with prefork workers: Odoo's own launcher
# where the tree has one, since Odoo starts its gevent process (the /websocket
# server) as `python <argv[0]> gevent`, which `python -m odoo` cannot be.
odoo_launcher() {
    if [ -f "$ODOO_ROOT/odoo-bin" ]; then
        ODOO_LAUNCHER=("$ODOO_PY" "$ODOO_ROOT/odoo-bin")
    elif [ -x "$(dirname "$ODOO_PY")/odoo" ]; then
        ODOO_LAUNCHER=("$(dirname "$ODOO_PY")/odoo")
    else
        ODOO_LAUNCHER=("$ODOO_PY" -m odoo)
    fi
}

addons_path() {
    local p="$TOP"
    # A regular Odoo checkout keeps most addons in addons/; odoo/addons is always searched.
    [ -d "$ODOO_ROOT/addons" ] && p="$ODOO_ROOT/addons,$p"
    printf '%s' "$p"
}

# Debian's packages for what the project needs from the system, installed when missing.
ensure_debs() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi || die "could not install ${missing[*]} from Debian's packages."
}

pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && printf '%s' "$d"
}

# PostgreSQL: PGHOST/PGPORT when they point to a server, else the private cluster in .pg/.
# Sets the PG* variables the Odoo command lines use.
pg_up() {
    if [ -n "${PGHOST:-}${PGPORT:-}" ] && [ -z "${SC_PRIVATE_PG:-}" ]; then
        PG_HOST=${PGHOST:-localhost}; PG_PORT=${PGPORT:-5432}
        PG_USER=${PGUSER:-$ODOO_DB_USER}; PG_PASSWORD=${PGPASSWORD:-}
        return 0
    fi
    command -v initdb >/dev/null || [ -n "$(pg_bin)" ] || ensure_debs postgresql
    local bin; bin=$(pg_bin) || die "no PostgreSQL server binaries after installing postgresql."
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres account.
    local run=()
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
        run=(runuser -u postgres -- env -C /)
        # Only the cluster's own directory is the postgres account's; its parent
        # is a plain directory everybody may traverse, as /var/tmp is.
        mkdir -p "$(dirname "$PG_DIR")" && chmod 755 "$(dirname "$PG_DIR")"
    fi
    mkdir -p "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb of $PG_DIR/data failed."
        mkdir -p "$PG_DIR/run"; [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR/run"
        cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PG_PRIVATE_PORT
unix_socket_directories = '$PG_DIR/run'
max_connections = 200
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
CONF
    fi
    if ! "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null \
            || die "PostgreSQL in $PG_DIR did not start: see $PG_DIR/server.log."
    fi
    PG_HOST=$PG_DIR/run; PG_PORT=$PG_PRIVATE_PORT; PG_USER=$ODOO_DB_USER; PG_PASSWORD=""
    # Odoo refuses to connect as postgres: a role of its own, allowed to create databases.
    "$bin/psql" -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'" | grep -q 1 \
        || "$bin/psql" -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc \
            "CREATE ROLE \"$PG_USER\" LOGIN SUPERUSER" \
        || die "could not create the PostgreSQL role $PG_USER."
}

pg_stop() {
    local bin; bin=$(pg_bin) || return 0
    [ -f "$PG_DIR/data/PG_VERSION" ] || return 0
    local run=(); [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres -- env -C /)
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1 \
        && "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
    return 0
}

psql_cmd() {
    PGPASSWORD=$PG_PASSWORD "$(pg_bin)/psql" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

RUN_DIR=$TOP/.run

# An Odoo configuration file for this checkout, so that Odoo, its shell and pytest-odoo
# all see the same addons and database server. Extra "key = value" lines may follow.
write_odoo_conf() {
    local file=$1; shift
    mkdir -p "$(dirname "$file")"
    {
        echo "[options]"
        echo "addons_path = $(addons_path)"
        echo "data_dir = $RUN_DIR/filestore"
        echo "db_host = $PG_HOST"
        echo "db_port = $PG_PORT"
        echo "db_user = $PG_USER"
        echo "db_password = ${PG_PASSWORD:-False}"
        echo "http_interface = 127.0.0.1"
        echo "gevent_port = 0"
        printf '%s\n' "$@"
    } >"$file"
}
