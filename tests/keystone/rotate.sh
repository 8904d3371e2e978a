#!/usr/bin/env bash
# Rotates the fernet keys of the Keystone in DIR (started by start.sh)
# TIMES times, as an operator does with `keystone-manage fernet_rotate`.
# With max_active_keys = 3, two rotations drop the key that signed the
# tokens issued before the first one: those tokens are refused after.
#
#   tests/keystone/rotate.sh DIR [TIMES]
set -euo pipefail

dir="$1"; times="${2:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${STACKAUTH_KEYSTONE_VENV:-$root/target/keystone-venv}"
for _ in $(seq 1 "$times"); do
    "$venv/bin/keystone-manage" --config-file "$dir/keystone.conf" fernet_rotate \
        --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$dir/manage.log" 2>&1
done
ls "$dir/fernet-keys"
