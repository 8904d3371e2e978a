#!/usr/bin/env bash
# Installs a real Barbican (OpenStack's key manager, from its Python
# package) and uwsgi into a virtual environment of the tests' own, for the
# castellan/Barbican source tests; the one place that knows how to get it.
# The tests run it on first use (tests/common/barbican.rs), then
# tests/barbican/start.sh serves barbican-api beside the tests' Keystone.
# Idempotent and safe to run from several test processes at once.
#
#   tests/barbican/setup.sh [VENV_DIR]     # prints the venv path
#
# VENV_DIR defaults to $STACKAUTH_BARBICAN_VENV, else target/barbican-venv.
set -euo pipefail

BARBICAN_VERSION=23.0.0
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-${STACKAUTH_BARBICAN_VENV:-$root/target/barbican-venv}}"
stamp="$venv/.stackauth-barbican-$BARBICAN_VERSION"

ready() { [[ -f "$stamp" && -x "$venv/bin/barbican-manage" && -x "$venv/bin/uwsgi" ]]; }
if ready; then
    echo "$venv"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
exec 9>"$(dirname "$venv")/.barbican-setup.lock"
flock 9
if ready; then
    echo "$venv"
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "tests/barbican/setup.sh: $python has no venv module" >&2
    exit 1
fi
echo "tests/barbican/setup.sh: installing barbican $BARBICAN_VERSION into $venv (once)" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "barbican==$BARBICAN_VERSION" uwsgi >&2
"$venv/bin/python" -c 'import barbican.api.app, keystonemiddleware.auth_token' >&2
touch "$stamp"
echo "$venv"
