#!/usr/bin/env bash
# make bench: a benchmark database filled by bench/generate.py (built once per scale
# and kept), then every benchmark of bench/benchmarks.py against it.
#   BENCH_SCALE (default 1: 1M leads, 5M calls...), BENCH_DB (default sc_bench),
#   BENCH_REPEAT (default 7), BENCH_REBUILD=1 to rebuild the data,
#   BENCH_INBOUND_EVENTS (default 400) posted to the inbound endpoint,
#   BENCH_TELEPHONY_EVENTS (default 400) posted to the Twilio and CallRail ones,
#   BENCH_DIALER_CALLS due calls on the dialer's floor (default 1000 at scale 1,
#   24 at any other),
#   BENCH_ROUTING_CUSTOMERS (default 200) and BENCH_ROUTING_ADVISORS (default 20)
#   booked on the road engine by bench/routing.py (no database; scripts/routing.sh
#   starts its own osrm-routed).
# What the benchmarks print is written into docs/performance.md (between its
# markers) and appended to bench/HISTORY.md at scale 1, the scale the page
# reports; at any other scale (make test's smoke run) into copies under .run/,
# so that the writer is exercised without touching the checkout. BENCH_PAGE and
# BENCH_HISTORY choose other files.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
scale=$(python3 -c "import sys; print(float(sys.argv[1]))" "${BENCH_SCALE:-1}")
db=${BENCH_DB:-sc_bench}
find_odoo
pg_up
conf=$RUN_DIR/bench-$db.conf
write_odoo_conf "$conf" "http_port = ${BENCH_HTTP_PORT:-8269}" "workers = 0" "max_cron_threads = 0"
have=$(psql_cmd -d "$db" -tAc "SELECT value FROM ir_config_parameter WHERE key = 'sales_coordination.bench_scale'" 2>/dev/null || true)
if [ "${BENCH_REBUILD:-0}" = 1 ] || [ "$have" != "$scale" ]; then
    say "== building the benchmark database $db at scale $scale"
    psql_cmd -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
    t0=$(date +%s)
    "$ODOO_PY" -m odoo server -c "$conf" -d "$db" -i sales_coordination \
        --without-demo=all --stop-after-init --log-level=warn
    (cd "$TOP/bench" && "$ODOO_PY" generate.py --config "$conf" --database "$db" --scale "$scale")
    built="benchmark database built in $(( $(date +%s) - t0 )) s (bench/generate.py at scale $scale)"
    say "$built"
else
    say "== reusing the benchmark database $db (scale $scale): updating the addon"
    built="benchmark database reused (scale $scale), the addon updated"
    "$ODOO_PY" -m odoo server -c "$conf" -d "$db" -u sales_coordination \
        --stop-after-init --log-level=warn
fi
# A live database is as autovacuum leaves it: vacuumed (the visibility map set,
# which index-only scans need, dead rows gone) and analysed (new columns and
# indexes have statistics). A fresh load or an update is not, until autovacuum
# comes by: measured before, the figures are those of a database nobody runs.
say "== bringing $db to the state of a live database: VACUUM (ANALYZE)"
t0=$(date +%s)
psql_cmd -d "$db" -qc "VACUUM (ANALYZE)" >/dev/null
vacuumed="vacuumed and analysed in $(( $(date +%s) - t0 )) s"
say "$vacuumed"
out=$RUN_DIR/bench-$db.out
: >"$out"
(cd "$TOP/bench" && "$ODOO_PY" run.py --config "$conf" --database "$db" --repeat "${BENCH_REPEAT:-7}" \
    --history "$RUN_DIR/bench-history.jsonl") | tee -a "$out"
(cd "$TOP/bench" && "$ODOO_PY" inbound.py --config "$conf" --database "$db" --events "${BENCH_INBOUND_EVENTS:-400}") | tee -a "$out"
(cd "$TOP/bench" && "$ODOO_PY" telephony.py --config "$conf" --database "$db" --events "${BENCH_TELEPHONY_EVENTS:-400}") | tee -a "$out"
(cd "$TOP/bench" && "$ODOO_PY" call_queue.py --config "$conf" --database "$db" --presses "${BENCH_QUEUE_PRESSES:-400}") | tee -a "$out"
# The queue's upkeep has just rewritten every queued follow-up (its new decay):
# the floor below would meet autovacuum cleaning up after it, which a live
# database meets once per change of the setting, not during every call. As
# above, the table is left as autovacuum leaves it first.
psql_cmd -d "$db" -qc "VACUUM (ANALYZE) sales_followup" >/dev/null
# The dialer's floor: the issue's 1,000 due calls at scale 1, a handful otherwise.
dialer_calls=${BENCH_DIALER_CALLS:-$([ "$scale" = 1.0 ] && echo 1000 || echo 24)}
(cd "$TOP/bench" && "$ODOO_PY" dialer.py --config "$conf" --database "$db" --calls "$dialer_calls") | tee -a "$out"
(cd "$TOP/bench" && "$ODOO_PY" routing.py --config "$conf" --customers "${BENCH_ROUTING_CUSTOMERS:-200}" \
    --advisors "${BENCH_ROUTING_ADVISORS:-20}") | tee -a "$out"
if [ "$scale" = 1.0 ]; then
    page=${BENCH_PAGE:-$TOP/docs/performance.md}
    history=${BENCH_HISTORY:-$TOP/bench/HISTORY.md}
else
    page=${BENCH_PAGE:-$RUN_DIR/performance-$db.md}
    history=${BENCH_HISTORY:-$RUN_DIR/HISTORY-$db.md}
fi
python3 "$TOP/bench/report.py" --output "$out" --page "$page" --history "$history" \
    --note "$built" --note "$vacuumed" \
    --note "make bench with BENCH_REPEAT=${BENCH_REPEAT:-7}, BENCH_INBOUND_EVENTS=${BENCH_INBOUND_EVENTS:-400}, BENCH_TELEPHONY_EVENTS=${BENCH_TELEPHONY_EVENTS:-400}, BENCH_QUEUE_PRESSES=${BENCH_QUEUE_PRESSES:-400}, BENCH_DIALER_CALLS=$dialer_calls, BENCH_ROUTING_CUSTOMERS=${BENCH_ROUTING_CUSTOMERS:-200}, BENCH_ROUTING_ADVISORS=${BENCH_ROUTING_ADVISORS:-20}"
