#!/usr/bin/env bash
# Writes the generated part of the differential corpus, which is checked
# in: CI never runs this script.
#
#   tests/oslo/make_corpus.sh
#
# For each service (Keystone from the venv of tests/keystone/setup.sh,
# Glance from target/oslo-services-venv, which tests/oslo/services-setup.sh
# makes):
# 1. tests/data/optdata/glance-api.yaml: oslo-config-generator --format yaml
#    (Keystone's is made as tests/data/optdata/README.md says);
# 2. tests/data/oslo/SERVICE/sample-filled.conf: the generator's sample with
#    every option that has a default uncommented (the defaults as values);
# 3. tests/data/oslo/SERVICE/generated/mutated-NN.conf: random edits of it
#    (tests/oslo/mutate.py, fixed seeds).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
keystone_venv="${STACKAUTH_KEYSTONE_VENV:-$root/target/keystone-venv}"
services_venv="$root/target/oslo-services-venv"
bash "$here/services-setup.sh" "$services_venv"

KEYSTONE_NS="--namespace keystone --namespace keystonemiddleware.auth_token \
    --namespace oslo.cache --namespace oslo.log --namespace oslo.messaging \
    --namespace oslo.policy --namespace oslo.db --namespace oslo.middleware \
    --namespace osprofiler"
# glance's own etc/oslo-config-generator/glance-api.conf.
GLANCE_NS="--namespace glance.api --namespace glance.store \
    --namespace glance.multi_store --namespace oslo.concurrency \
    --namespace oslo.messaging --namespace oslo.db --namespace oslo.policy \
    --namespace keystonemiddleware.auth_token --namespace oslo.log \
    --namespace oslo.middleware.cors \
    --namespace oslo.middleware.http_proxy_to_wsgi --namespace oslo.limit"

"$services_venv/bin/oslo-config-generator" $GLANCE_NS --format yaml \
    --output-file "$root/tests/data/optdata/glance-api.yaml" 2>/dev/null

# service venv namespaces count seed
corpus() {
    local service="$1" venv="$2" ns="$3" count="$4" seed="$5"
    local out="$root/tests/data/oslo/$service"
    mkdir -p "$out/generated"
    local tmp
    tmp="$(mktemp)"
    "$venv/bin/oslo-config-generator" $ns --output-file "$tmp" 2>/dev/null
    # '#name = value' -> 'name = value', except options without a default.
    sed -E -e '/^#[A-Za-z_][A-Za-z0-9_-]* = <None>$/b' \
        -e 's/^#([A-Za-z_][A-Za-z0-9_-]* =( .*)?)$/\1/' "$tmp" > "$out/sample-filled.conf"
    rm -f "$tmp" "$out"/generated/mutated-*.conf
    "$venv/bin/python" "$here/mutate.py" "$out/sample-filled.conf" "$out/generated" "$count" "$seed"
}
corpus keystone "$keystone_venv" "$KEYSTONE_NS" 24 16
corpus glance-api "$services_venv" "$GLANCE_NS" 12 17
