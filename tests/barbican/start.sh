#!/usr/bin/env bash
# Starts a real Barbican (barbican-api under uwsgi) on 127.0.0.1:PORT, in
# DIR, beside the tests' Keystone: SQLite database, the simple_crypto
# plugin with a KEK generated here, keystonemiddleware's auth_token
# validating tokens against KEYSTONE_URL (its admin user as the service
# user). Returns once /v1 answers (401 without a token).
#
#   tests/barbican/start.sh DIR PORT WATCH_PID KEYSTONE_ROOT ADMIN_PASSWORD
#
# It stops by itself when process WATCH_PID (the test process) exits, and
# DIR is removed then. Environment: STACKAUTH_BARBICAN_VENV (default
# target/barbican-venv).
set -euo pipefail

dir="$1"; port="$2"; watch_pid="$3"; keystone="$4"; admin_password="$5"
here="$(cd "$(dirname "$0")" && pwd)"
venv="$("$here/setup.sh")"

mkdir -p "$dir"
kek="$("$venv/bin/python" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
umask 077
cat > "$dir/barbican.conf" <<CONF
[DEFAULT]
host_href = http://127.0.0.1:$port
log_file = $dir/barbican.log
db_auto_create = True
[database]
connection = sqlite:///$dir/barbican.sqlite
[secretstore]
enabled_secretstore_plugins = store_crypto
[crypto]
enabled_crypto_plugins = simple_crypto
[simple_crypto_plugin]
kek = $kek
[keystone_authtoken]
www_authenticate_uri = $keystone/v3
auth_url = $keystone/v3
auth_type = password
username = admin
password = $admin_password
user_domain_id = default
project_name = admin
project_domain_id = default
CONF
sed -e "s#/etc/barbican/#$dir/#g" "$venv/etc/barbican/barbican-api-paste.ini" > "$dir/barbican-api-paste.ini"

# The schema first (db_auto_create would too, in every uwsgi worker).
HOME="$dir" "$venv/bin/barbican-manage" db upgrade >>"$dir/manage.log" 2>&1 || {
    echo "start.sh: barbican-manage db upgrade failed; see $dir/manage.log" >&2
    tail -n 20 "$dir/manage.log" >&2 || true
    exit 1
}

HOME="$dir" STACKAUTH_BARBICAN_PASTE="$dir/barbican-api-paste.ini" setsid "$venv/bin/uwsgi" \
    --http-socket "127.0.0.1:$port" --add-header "Connection: close" \
    --wsgi-file "$here/wsgi.py" \
    --master --processes 1 --threads 4 --die-on-term --need-app \
    --pidfile "$dir/uwsgi.pid" --logto "$dir/uwsgi.log" --disable-logging &
uwsgi_pid=$!

( while kill -0 "$watch_pid" 2>/dev/null && kill -0 "$uwsgi_pid" 2>/dev/null; do sleep 1; done
  kill -TERM "$uwsgi_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$uwsgi_pid" 2>/dev/null || break; sleep 0.1; done
  if [[ "${STACKAUTH_KEEP_BARBICAN_DIR:-}" != 1 ]]; then rm -rf "$dir"; fi
) </dev/null >/dev/null 2>&1 &

for _ in $(seq 1 300); do
    code="$("$venv/bin/python" -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2); print(200)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)' "http://127.0.0.1:$port/v1/secrets" 2>/dev/null || echo 0)"
    if [[ "$code" == 401 ]]; then
        exit 0
    fi
    if ! kill -0 "$uwsgi_pid" 2>/dev/null; then
        echo "start.sh: uwsgi exited; see $dir/uwsgi.log" >&2
        tail -n 30 "$dir/uwsgi.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done
echo "start.sh: Barbican did not answer 401 on port $port within 60 s; see $dir/uwsgi.log" >&2
tail -n 30 "$dir/uwsgi.log" >&2 || true
exit 1
