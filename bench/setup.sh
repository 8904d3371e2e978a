#!/usr/bin/env bash
# Installs the Python side of the benchmarks into a virtual environment:
# oslo.config, keystoneauth1, keystonemiddleware and requests, plus keystone
# itself, whose option namespaces are the large real service config that
# the load and validate benchmarks read. Idempotent: a second run with the
# same pins does nothing.
#
#   bench/setup.sh [VENV_DIR]
#
# VENV_DIR defaults to $STACKAUTH_BENCH_VENV, else target/bench-venv.
set -euo pipefail

# The versions tests/data/optdata/keystone.yaml was generated with.
PINS=(
    "keystone==30.0.0"
    "oslo.config==10.7.0"
    "keystoneauth1==5.18.1"
    "keystonemiddleware==13.0.1"
    "requests==2.34.2"
    "urllib3==2.8.0"
    "PyYAML==6.0.4"
)
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${1:-${STACKAUTH_BENCH_VENV:-$root/target/bench-venv}}"
stamp="$venv/.stackauth-bench-$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -c1-16)"

if [[ -f "$stamp" && -x "$venv/bin/oslo-config-validator" ]]; then
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "bench/setup.sh: $python has no venv module" >&2
    exit 1
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel
"$venv/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}"
"$venv/bin/python" -c 'import oslo_config, keystoneauth1, keystonemiddleware, requests, keystone'
touch "$stamp"
