#!/usr/bin/env bash
# Installs openstacksdk into a virtual environment of its own, for the
# differential clouds.yaml tests (tests/auth/cli_sdk.rs). Idempotent and
# safe to run at once from several test processes (tests/python/venv.sh).
#
#   tests/openstacksdk/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_SDK_VENV, else target/openstacksdk-venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-${STACKAUTH_SDK_VENV:-$root/target/openstacksdk-venv}}"
exec bash "$root/tests/python/venv.sh" "$venv" "openstacksdk==4.22.0" python -c 'import openstack.config'
