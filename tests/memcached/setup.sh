#!/usr/bin/env bash
# Makes sure the distribution's memcached server is installed, for the
# shared token cache tests; the one place that knows how to get it. The
# tests run it on first use (tests/common/memcached.rs), so `cargo test`
# needs nothing installed beforehand. Idempotent and safe to run from
# several test processes at once.
#
#   tests/memcached/setup.sh      # prints the server's path
#
# As root it installs Debian's `memcached` package with apt-get; otherwise
# it says the one command to run.
set -euo pipefail

found() { command -v memcached || { [[ -x /usr/bin/memcached ]] && echo /usr/bin/memcached; }; }

if path="$(found)"; then
    echo "$path"
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "memcached is not installed and this is not root: run 'sudo apt-get install memcached' (Debian/Ubuntu) once, then the tests again" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "memcached is not installed and there is no apt-get here: install your distribution's memcached package" >&2
    exit 1
fi

# One installer at a time: test binaries may start memcached concurrently.
lock="${TMPDIR:-/tmp}/stackauth-memcached-setup.lock"
exec 9>"$lock"
flock 9
if path="$(found)"; then
    echo "$path"
    exit 0
fi
echo "tests/memcached/setup.sh: installing memcached with apt-get (once)" >&2
export DEBIAN_FRONTEND=noninteractive
# On a fresh machine the package lists are empty: update, then install.
apt-get install -y -q --no-install-recommends memcached >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends memcached >/dev/null; }
# The package's service is not needed: the tests start their own servers.
if command -v systemctl >/dev/null && systemctl is-active --quiet memcached 2>/dev/null; then
    systemctl stop memcached 2>/dev/null || true
fi
found
