#!/usr/bin/env bash
# Installs oidc-provider-mock (a real OpenID Connect provider made for
# tests, from PyPI) into a virtual environment of its own, for the OpenID
# Connect tests (tests/auth/oidc.rs). Idempotent and safe to run at once
# from several test processes (tests/python/venv.sh).
#
#   tests/oidc/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_OIDC_VENV, else target/oidc-venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-${STACKAUTH_OIDC_VENV:-$root/target/oidc-venv}}"
exec bash "$root/tests/python/venv.sh" "$venv" "oidc-provider-mock==0.3.4" python -c 'import oidc_provider_mock'
