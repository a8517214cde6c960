#!/usr/bin/env bash
# Runs an Odoo command of this checkout as if it were another moment, to check that
# the tests pass at any hour: the private PostgreSQL cluster is restarted under
# libfaketime too (so that its now() and the create dates agree with Odoo's clock),
# the command runs, and the cluster is restarted at the real time afterwards. The
# clock starts at the moment given and keeps ticking.
#
#   bash scripts/at_hour.sh '2026-12-07 03:10:00' -d sc_hours -i sales_coordination \
#       --test-enable --test-tags /sales_coordination
#
# The Odoo arguments follow the moment (UTC); the configuration is .run/hours.conf
# (port 8069 unless HOURS_HTTP_PORT says otherwise). Needs Debian's faketime package
# (installed when missing) and the private cluster (not PGHOST).
#
# `--make-test` in place of the Odoo arguments runs the whole `make test` at that
# moment instead (every step, the browser and the root tests included):
#
#   bash scripts/at_hour.sh '2026-12-14 03:10:00' --make-test
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
[ $# -ge 2 ] || die "usage: $0 'YYYY-MM-DD HH:MM:SS' <odoo server arguments> | --make-test"
moment=$1
shift
command -v faketime >/dev/null || ensure_debs faketime
[ -z "${PGHOST:-}${PGPORT:-}" ] || die "at_hour.sh fakes the private cluster's clock: unset PGHOST and PGPORT."
find_odoo
pg_up
bin=$(pg_bin)
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres -- env -C /)
restart_pg() {
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
    # pg_ctl's own wait reads the clock libfaketime moves: started without it,
    # then waited for at the real time.
    "${run[@]}" "$@" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -W start >/dev/null
    local tries=60
    until "$bin/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || die "PostgreSQL in $PG_DIR did not start: see $PG_DIR/server.log."
        sleep 1
    done
}
# One offset from the real clock for the cluster and Odoo, so both read the same
# moment (libfaketime's own wrapper waits for the server's processes to end).
# Everything, Chromium included, reads the faked clock, the monotonic one too: with
# a real monotonic clock Chromium did not start and timeouts misfired.
offset=$(printf '%+d' $(( $(date -ud "$moment" +%s) - $(date +%s) )))
fake=(env "LD_PRELOAD=$(dpkg -L libfaketime | grep -m1 '/libfaketime.so.1$')" "FAKETIME=$offset")
restart_pg "${fake[@]}"
trap 'restart_pg' EXIT
if [ "$1" = --make-test ]; then
    say "== at $moment UTC (PostgreSQL's clock too): make test"
    # Through libfaketime's own wrapper, which owns the shared state its library
    # keeps between processes for as long as the run lasts: preloaded directly,
    # the first shell created it and one of its forked subshells removed it on
    # exit, and later processes died ("sem_open failed") in the middle of a run.
    faketime -f "$offset" bash "$TOP/scripts/test.sh"
    exit
fi
write_odoo_conf "$RUN_DIR/hours.conf" "http_port = ${HOURS_HTTP_PORT:-8069}" "workers = 0" \
    "max_cron_threads = 0"
say "== at $moment UTC (PostgreSQL's clock too): odoo $*"
"${fake[@]}" "$ODOO_PY" -m odoo server -c "$RUN_DIR/hours.conf" --stop-after-init "$@"
