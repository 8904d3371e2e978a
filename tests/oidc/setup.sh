#!/usr/bin/env bash
# Installs oidc-provider-mock (a real OpenID Connect provider made for
# tests, from PyPI) into a virtual environment of its own, for the OpenID
# Connect tests (tests/auth/oidc.rs). Idempotent: a second run with the
# same version does nothing.
#
#   tests/oidc/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_OIDC_VENV, else target/oidc-venv.
set -euo pipefail

VERSION=0.3.4
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-${STACKAUTH_OIDC_VENV:-$root/target/oidc-venv}}"
stamp="$venv/.stackauth-oidc-provider-mock-$VERSION"

if [[ -f "$stamp" && -x "$venv/bin/python" ]]; then
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "setup.sh: $python has no venv module" >&2
    exit 1
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "oidc-provider-mock==$VERSION"
"$venv/bin/python" -c 'import oidc_provider_mock' >/dev/null
touch "$stamp"
