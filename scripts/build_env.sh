#!/usr/bin/env bash
# Builds the Odoo 18.0 environment: a virtual environment with Odoo's pinned requirements
# (fixed for Python 3.11 where needed), phonenumbers and our test tools, and Odoo made
# importable from its source tree by a .pth file (nothing of Odoo is copied).
# Usage: build_env.sh ODOO_SRC ODOO_HOME
set -euo pipefail
src=$1 home=$2
top=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
echo "building the Odoo environment in $home from $src (a few minutes, once)" >&2
t0=$(date +%s)
mkdir -p "$home"
rm -rf "$home/venv.new"
"$py" -m venv "$home/venv.new"
vpy=$home/venv.new/bin/python
"$vpy" -m pip install -q --upgrade pip wheel "setuptools<81"

# Odoo's requirements as pinned, with what Python 3.11 here needs instead:
# cbor2 5.4.2 has no wheel for 3.11 (5.6.2 works); python-ldap builds only with the
# OpenLDAP and SASL headers present.
req=$home/requirements.odoo.txt
sed -E "s/^cbor2==5\.4\.2.*/cbor2==5.6.2/" "$src/requirements.txt" >"$req"
if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ]; then
    sed -i -E '/^python-ldap/d' "$req"
fi
"$vpy" -m pip install -q -r "$req"
"$vpy" -m pip install -q -r "$top/requirements.txt"
"$vpy" -m pip install -q -r "$top/requirements-test.txt"

site=$("$vpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n' "$src" >"$site/odoo-src.pth"
"$vpy" -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)'

# Swap in the new environment only once it is complete.
rm -rf "$home/venv.old"
[ -d "$home/venv" ] && mv "$home/venv" "$home/venv.old"
mv "$home/venv.new" "$home/venv"
# The venv's scripts name their own path: rewrite them for the final location.
grep -rl "$home/venv.new" "$home/venv/bin" 2>/dev/null | xargs -r sed -i "s#$home/venv.new#$home/venv#g"
rm -rf "$home/venv.old"
printf '%s\n' "$src" >"$home/src"
(source "$top/scripts/common.sh" && env_stamp "$src") >"$home/stamp"
echo "Odoo environment built in $(( $(date +%s) - t0 )) s" >&2
