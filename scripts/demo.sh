#!/usr/bin/env bash
# make demo: a database with the addon and its demo data, served on 127.0.0.1:8069;
# with Odoo's Sales (and the bridge sales_coordination_sale) when the Odoo source
# tree has it. A second run reuses the database, with the addons updated.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
find_odoo
pg_up
conf=$RUN_DIR/demo.conf
port=${DEMO_HTTP_PORT:-8069}
write_odoo_conf "$conf" "http_port = $port" "db_name = $DEMO_DB" "dbfilter = ^$DEMO_DB\$" "list_db = False"
odoo=("$ODOO_PY" -m odoo server -c "$conf" -d "$DEMO_DB")
addons=sales_coordination
if [ -f "$ODOO_ROOT/addons/sale_crm/__manifest__.py" ] \
    || [ -f "$ODOO_ROOT/odoo/addons/sale_crm/__manifest__.py" ]; then
    addons=sales_coordination,sale_management,sales_coordination_sale
else
    say "Odoo's Sales is not in $ODOO_ROOT: the demo runs without it (and without sales_coordination_sale)"
fi
if psql_cmd -tAc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1; then
    say "reusing the demo database $DEMO_DB: updating the addons (and their new demo data)"
    # -u updates what is installed; -i adds Sales and the bridge to an older demo.
    "${odoo[@]}" -u sales_coordination,sales_coordination_sale -i "$addons" \
        --stop-after-init --log-level=warn
else
    say "creating the demo database $DEMO_DB with $addons and their demo data"
    "${odoo[@]}" -i "$addons" --stop-after-init --log-level=warn
fi
cat >&2 <<MSG

Odoo with sales_coordination: http://127.0.0.1:$port
  administrator   admin / admin
  manager         manager / manager
  coordinators    coordinator1 / coordinator1, coordinator2 / coordinator2
  field advisors  advisor1 / advisor1 ... advisor4 / advisor4
Stop it with Ctrl+C; 'make stop' stops PostgreSQL.

MSG
# What the demo starts beside Odoo, stopped when it ends.
stops=()
stop_all() {
    local stop
    for stop in "${stops[@]}"; do eval "$stop" || true; done
}
trap stop_all EXIT
# The road engine (docs/routing.md): OSRM on the Helsinki extract, built once outside the
# checkout; the demo company's routing server unless one is set. DEMO_OSRM=0: without.
if [ "${DEMO_OSRM:-1}" = 1 ]; then
    osrm_port=${DEMO_OSRM_PORT:-5000}
    if osrm_url=$(bash "$TOP/scripts/routing.sh" start "$osrm_port"); then
        stops+=("bash \"$TOP/scripts/routing.sh\" stop $osrm_port")
        printf '%s\n' "UPDATE res_company SET sales_routing_url = :'url' WHERE coalesce(sales_routing_url, '') = '';" \
            | psql_cmd -d "$DEMO_DB" -q -v url="$osrm_url" >/dev/null
        say "road engine (OSRM, Helsinki extract): $osrm_url"
    else
        say "the road engine did not start: the demo estimates drives (docs/routing.md)"
    fi
fi
# The dialer (docs/dialer.md) of the demo's Twilio integration: with TWILIO_ACCOUNT_SID
# and TWILIO_AUTH_TOKEN, your Twilio account (real calls: set the coordinators' Dialer
# Phone); without, the local Twilio stand-in on 127.0.0.1 plays a simulated line
# (ringing, then a person 12%, a machine 30%, nobody otherwise), said on the call screen.
demo_sid=AC00000000000000000000000000000000
if [ -n "${TWILIO_ACCOUNT_SID:-}" ] && [ -n "${TWILIO_AUTH_TOKEN:-}" ]; then
    printf '%s\n' "UPDATE sales_inbound_source SET account_sid = :'sid', secret = :'token', api_url = NULL WHERE account_sid = '$demo_sid';" \
        | psql_cmd -d "$DEMO_DB" -q -v sid="$TWILIO_ACCOUNT_SID" -v token="$TWILIO_AUTH_TOKEN" >/dev/null
    say "dialer: your Twilio account $TWILIO_ACCOUNT_SID places the calls"
else
    twilio_port=${DEMO_TWILIO_PORT:-8075}
    twilio_token=$(psql_cmd -d "$DEMO_DB" -tAc "SELECT secret FROM sales_inbound_source WHERE account_sid = '$demo_sid' LIMIT 1")
    if [ -n "$twilio_token" ]; then
        "$ODOO_PY" "$TOP/sales_coordination/tools/twilio_standin.py" --port "$twilio_port" \
            --account-sid "$demo_sid" --auth-token "$twilio_token" \
            >"$RUN_DIR/twilio-standin.log" 2>&1 &
        twilio_pid=$!
        stops+=("kill $twilio_pid")
        sleep 1
    fi
    if [ -n "$twilio_token" ] && kill -0 "$twilio_pid" 2>/dev/null; then
        printf '%s\n' "UPDATE sales_inbound_source SET api_url = :'url' WHERE account_sid = '$demo_sid';" \
            | psql_cmd -d "$DEMO_DB" -q -v url="http://127.0.0.1:$twilio_port" >/dev/null
        say "dialer: a simulated line (the local Twilio stand-in on 127.0.0.1:$twilio_port, log in $RUN_DIR/twilio-standin.log)"
    else
        say "dialer: the local Twilio stand-in did not start (see $RUN_DIR/twilio-standin.log; DEMO_TWILIO_PORT=$twilio_port in use?)"
    fi
fi
"${odoo[@]}"
