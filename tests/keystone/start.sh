#!/usr/bin/env bash
# Starts a bootstrapped Keystone (SQLite, fernet tokens) with uwsgi on
# 127.0.0.1:PORT, in DIR, for the live tests. Returns once it answers.
#
#   tests/keystone/start.sh DIR PORT WATCH_PID [serve]
#
# With `serve`, DIR already holds a bootstrapped Keystone (a test stopped
# it by killing the uwsgi master in DIR/uwsgi.pid): it is only served
# again, with its database and keys as they are.
#
# It stops by itself when process WATCH_PID (the test process) exits, and
# DIR is removed then.
# Environment: STACKAUTH_KEYSTONE_VENV (default target/keystone-venv),
# KEYSTONE_ADMIN_PASSWORD (default stackauth-admin),
# KEYSTONE_TOKEN_EXPIRATION seconds (default 3600).
set -euo pipefail

dir="$1"; port="$2"; watch_pid="$3"; mode="${4:-setup}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${STACKAUTH_KEYSTONE_VENV:-$root/target/keystone-venv}"
password="${KEYSTONE_ADMIN_PASSWORD:-stackauth-admin}"
expiration="${KEYSTONE_TOKEN_EXPIRATION:-3600}"

"$here/setup.sh" "$venv"
if [[ "$mode" != serve ]]; then
mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
cat > "$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/keystone.log
# Each request's PATH_INFO line (DEBUG) with its global request id:
# tests/live/auth_token.rs follows a caller's id into Keystone's log.
debug = true
[database]
connection = sqlite:///$dir/keystone.db
[token]
provider = fernet
expiration = $expiration
[fernet_tokens]
key_repository = $dir/fernet-keys
# The default, said here because tests/keystone/rotate.sh counts on it: two
# rotations drop the key that signed the tokens issued before them.
max_active_keys = 3
[credential]
key_repository = $dir/credential-keys
[auth]
# Keystone's defaults plus openid, as a deployment federated with an
# OpenID Connect provider has them (tests/live/oidc.rs).
methods = external,password,token,oauth1,mapped,application_credential,openid
CONF

manage() { "$venv/bin/keystone-manage" --config-file "$dir/keystone.conf" "$@" >>"$dir/manage.log" 2>&1; }
owner=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
manage db_sync
manage fernet_setup "${owner[@]}"
manage credential_setup "${owner[@]}"
manage bootstrap --bootstrap-password "$password" \
    --bootstrap-admin-url "http://127.0.0.1:$port/v3" \
    --bootstrap-internal-url "http://127.0.0.1:$port/v3" \
    --bootstrap-public-url "http://127.0.0.1:$port/v3" \
    --bootstrap-region-id RegionOne
fi

# uwsgi's plain HTTP socket closes the connection after each response; say
# so, or clients reuse a closed connection (its HTTP/1.1 socket, tried
# instead, dropped requests under the tests' load).
OS_KEYSTONE_CONFIG_FILES="$dir/keystone.conf" setsid "$venv/bin/uwsgi" \
    --http-socket "127.0.0.1:$port" --add-header "Connection: close" \
    --module keystone.wsgi.api:application \
    --master --processes 1 --threads 4 --die-on-term --need-app \
    --pidfile "$dir/uwsgi.pid" --logto "$dir/uwsgi.log" --disable-logging &
uwsgi_pid=$!
echo "$uwsgi_pid" > "$dir/uwsgi.launcher.pid"

# Stop Keystone when the test process is gone, and remove its files (the
# test process cannot: its fixture lives until exit). When uwsgi stops
# first (a test stopped it, to start it again), leave everything alone.
( while kill -0 "$watch_pid" 2>/dev/null && kill -0 "$uwsgi_pid" 2>/dev/null; do sleep 1; done
  if kill -0 "$watch_pid" 2>/dev/null; then exit 0; fi
  kill -TERM "$uwsgi_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$uwsgi_pid" 2>/dev/null || break; sleep 0.1; done
  if [[ "${STACKAUTH_KEEP_KEYSTONE_DIR:-}" != 1 ]]; then rm -rf "$dir"; fi
) </dev/null >/dev/null 2>&1 &

for _ in $(seq 1 150); do
    if "$venv/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "http://127.0.0.1:$port/v3" 2>/dev/null; then
        exit 0
    fi
    if ! kill -0 "$uwsgi_pid" 2>/dev/null; then
        echo "start.sh: uwsgi exited; see $dir/uwsgi.log" >&2
        tail -n 20 "$dir/uwsgi.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done
echo "start.sh: Keystone did not answer on port $port within 30 s; see $dir/uwsgi.log" >&2
exit 1
