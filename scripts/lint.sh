#!/usr/bin/env bash
# make lint: ruff (check and format), pylint with the OCA's Odoo checks
# (pylint-odoo, in a small virtualenv of its own next to the Odoo one), and the
# addon's README.rst up to date with its readme/ fragments.
set -euo pipefail
source "$(dirname "$0")/common.sh"
find_odoo
bin=$(dirname "$ODOO_PY")
"$bin/ruff" check "${ADDONS[@]}" tests scripts bench
"$bin/ruff" format --check "${ADDONS[@]}" tests scripts bench
lint_venv=$(dirname "$ODOO_HOME")/lint-venv
if [ ! -x "$lint_venv/bin/pylint" ]; then
    python3 -m venv "$lint_venv"
    "$lint_venv/bin/pip" install -q "pylint-odoo==10.0.12"
fi
(cd "$TOP" && "$lint_venv/bin/pylint" --rcfile=.pylintrc "${ADDONS[@]}")
python3 "$TOP/scripts/gen_readme.py" --check
echo "lint: clean"
