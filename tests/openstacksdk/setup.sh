#!/usr/bin/env bash
# Installs openstacksdk into a virtual environment of its own, for the
# differential clouds.yaml tests (tests/auth/cli_sdk.rs). Idempotent: a
# second run with the same version does nothing.
#
#   tests/openstacksdk/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_SDK_VENV, else target/openstacksdk-venv.
set -euo pipefail

SDK_VERSION=4.22.0
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-${STACKAUTH_SDK_VENV:-$root/target/openstacksdk-venv}}"
stamp="$venv/.stackauth-openstacksdk-$SDK_VERSION"

if [[ -f "$stamp" && -x "$venv/bin/python" ]]; then
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "setup.sh: $python has no venv module" >&2
    exit 1
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "openstacksdk==$SDK_VERSION"
"$venv/bin/python" -c 'import openstack.config' >/dev/null
touch "$stamp"
