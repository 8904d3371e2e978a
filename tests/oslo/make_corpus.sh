#!/usr/bin/env bash
# Writes the generated part of the differential corpus (tests/data/oslo),
# which is checked in: CI never runs this script.
#
#   tests/oslo/make_corpus.sh      (needs the venv of tests/keystone/setup.sh)
#
# 1. keystone/sample-filled.conf: oslo-config-generator's Keystone sample
#    (the namespaces of tests/data/optdata/README.md) with every option
#    that has a default uncommented: the defaults as values.
# 2. generated/mutated-NN.conf: random edits of it (tests/oslo/mutate.py,
#    fixed seed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${STACKAUTH_KEYSTONE_VENV:-$root/target/keystone-venv}"
out="$root/tests/data/oslo"
mkdir -p "$out/keystone" "$out/generated"
NS="--namespace keystone --namespace keystonemiddleware.auth_token \
    --namespace oslo.cache --namespace oslo.log --namespace oslo.messaging \
    --namespace oslo.policy --namespace oslo.db --namespace oslo.middleware \
    --namespace osprofiler"
tmp="$(mktemp)"
"$venv/bin/oslo-config-generator" $NS --output-file "$tmp" 2>/dev/null
# '#name = value' -> 'name = value', except options without a default.
sed -E -e '/^#[A-Za-z_][A-Za-z0-9_-]* = <None>$/b' -e 's/^#([A-Za-z_][A-Za-z0-9_-]* =( .*)?)$/\1/' "$tmp" \
    > "$out/keystone/sample-filled.conf"
rm -f "$tmp"
rm -f "$out"/generated/mutated-*.conf
"$venv/bin/python" "$here/mutate.py" "$out/keystone/sample-filled.conf" "$out/generated" 24 16
