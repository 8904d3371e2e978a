#!/usr/bin/env bash
# Installs the OpenStack services whose opt-data and samples are in the
# differential corpus (only tests/oslo/make_corpus.sh needs them; the tests
# use the checked-in output). Idempotent.
#
#   tests/oslo/services-setup.sh [VENV_DIR]   (default target/oslo-services-venv)
set -euo pipefail
GLANCE_VERSION=33.0.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-$root/target/oslo-services-venv}"
stamp="$venv/.stackauth-glance-$GLANCE_VERSION"
[[ -f "$stamp" ]] && exit 0
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "glance==$GLANCE_VERSION"
touch "$stamp"
