#!/usr/bin/env bash
# Makes sure Debian's etcd server (`etcd-server`, 3.4) is installed, for the
# etcd source tests; the one place that knows how to get it. The tests start
# their own servers (tests/common/etcd.rs) on free loopback ports in a temp
# data dir, so `cargo test` needs nothing installed beforehand. Idempotent
# and safe to run from several test processes at once.
#
#   tests/etcd/setup.sh      # prints the server's path
#
# As root it installs the package with apt-get; otherwise it says the one
# command to run.
set -euo pipefail

found() { command -v etcd || { [[ -x /usr/bin/etcd ]] && echo /usr/bin/etcd; }; }

if path="$(found)"; then
    echo "$path"
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "etcd is not installed and this is not root: run 'sudo apt-get install etcd-server' (Debian/Ubuntu) once, then the tests again" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "etcd is not installed and there is no apt-get here: install your distribution's etcd server package (3.4 or later)" >&2
    exit 1
fi

# One installer at a time: test binaries may start etcd concurrently.
lock="${TMPDIR:-/tmp}/stackauth-etcd-setup.lock"
exec 9>"$lock"
flock 9
if path="$(found)"; then
    echo "$path"
    exit 0
fi
echo "tests/etcd/setup.sh: installing etcd-server with apt-get (once)" >&2
export DEBIAN_FRONTEND=noninteractive
# On a fresh machine the package lists are empty: update, then install.
apt-get install -y -q --no-install-recommends etcd-server >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends etcd-server >/dev/null; }
# The package's service is not needed: the tests start their own servers.
if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then
    systemctl stop etcd 2>/dev/null || true
fi
found
