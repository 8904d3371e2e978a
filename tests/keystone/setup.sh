#!/usr/bin/env bash
# Installs a real Keystone (from its Python package) and uwsgi into a
# virtual environment, for the live tests. Idempotent: a second run with the
# same versions does nothing.
#
#   tests/keystone/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_KEYSTONE_VENV, else target/keystone-venv.
set -euo pipefail

KEYSTONE_VERSION=30.0.0
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-${STACKAUTH_KEYSTONE_VENV:-$root/target/keystone-venv}}"
stamp="$venv/.stackauth-keystone-$KEYSTONE_VERSION"

if [[ -f "$stamp" && -x "$venv/bin/keystone-manage" && -x "$venv/bin/uwsgi" ]]; then
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "setup.sh: $python has no venv module" >&2
    exit 1
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "keystone==$KEYSTONE_VERSION" uwsgi
"$venv/bin/keystone-manage" --version >/dev/null
touch "$stamp"
