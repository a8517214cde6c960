#!/usr/bin/env bash
# make demo: a database with the addon and its demo data, served on 127.0.0.1:8069.
# A second run reuses the database, with the addon updated.
set -euo pipefail
source "$(dirname "$0")/common.sh"
export TZ=UTC
find_odoo
pg_up
conf=$RUN_DIR/demo.conf
port=${DEMO_HTTP_PORT:-8069}
write_odoo_conf "$conf" "http_port = $port" "db_name = $DEMO_DB" "dbfilter = ^$DEMO_DB\$" "list_db = False"
odoo=("$ODOO_PY" -m odoo server -c "$conf" -d "$DEMO_DB")
if psql_cmd -tAc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1; then
    say "reusing the demo database $DEMO_DB: updating the addon (and its new demo data)"
    "${odoo[@]}" -u sales_coordination --stop-after-init --log-level=warn
else
    say "creating the demo database $DEMO_DB with sales_coordination and its demo data"
    "${odoo[@]}" -i sales_coordination --stop-after-init --log-level=warn
fi
cat >&2 <<MSG

Odoo with sales_coordination: http://127.0.0.1:$port
  administrator   admin / admin
  manager         manager / manager
  coordinators    coordinator1 / coordinator1, coordinator2 / coordinator2
  field advisors  advisor1 / advisor1 ... advisor4 / advisor4
Stop it with Ctrl+C; 'make stop' stops PostgreSQL.

MSG
exec "${odoo[@]}"
