#!/usr/bin/env bash
# Every benchmark of stackauth beside the Python stack it replaces
# (oslo.config, oslo-config-validator, keystoneauth1), and the side-by-side
# table with ratios, in markdown. Each comparison runs within this one
# script, one side right after the other, so its ratio holds on a machine
# whose load changes; rerun it on a quiet machine for absolute numbers.
#
#   bench/run.sh           # about 10 minutes on 2 cores
#   bench/run.sh --quick   # shorter measurements: a smoke run, rough numbers
#
# Writes target/bench-results/<date>/ (every raw result and table.md) and
# prints the table. Wall time on a shared VM swings between minutes; for
# an A/B of stackauth's own costs, count instructions instead:
# bench/session_instructions.sh (Session vs raw reqwest) and
# bench/auth_token_instructions.sh (the layer on a cache hit). Needs python3 with venv (bench/setup.sh installs the
# Python side into target/bench-venv); uses hyperfine when it is installed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
quick=false
[[ "${1:-}" == "--quick" ]] && quick=true

out="target/bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
venv="${STACKAUTH_BENCH_VENV:-$root/target/bench-venv}"
py="$venv/bin/python"
log() { printf '\n== %s\n' "$*" >&2; }

if $quick; then
    crit=(--warm-up-time 1 --measurement-time 2)
    rounds=3 py_seconds=1 ksa_rounds=1 validate_runs=5 count=500
else
    crit=()
    rounds=15 py_seconds=5 ksa_rounds=3 validate_runs=30 count=5000
fi

log "Python side (bench/setup.sh)"
bench/setup.sh "$venv"

log "Builds (release)"
cargo build --release --bin stackauth --example bench_cloud --example identity_daemon
cargo bench --no-run --bench load --bench snapshot_read --bench session --bench session_overhead

"$py" - > "$out/env.json" <<EOF
import json, os, platform, subprocess
run = lambda *a: subprocess.run(a, capture_output=True, text=True).stdout.strip()
print(json.dumps({"cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
                  "rustc": run("rustc", "--version"), "python": platform.python_version(),
                  "commit": run("git", "rev-parse", "--short", "HEAD"), "date": run("date", "-u", "+%Y-%m-%d %H:%M UTC")}))
EOF

# The server every client talks to: identity + compute, keep-alive, one thread.
target/release/examples/bench_cloud 127.0.0.1:0 > "$out/cloud.out" &
cloud_pid=$!
trap 'kill "$cloud_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    grep -q listening "$out/cloud.out" 2>/dev/null && break
    sleep 0.1
done
addr="$(sed -n 's/^listening on //p' "$out/cloud.out")"
[[ -n "$addr" ]] || { echo "bench_cloud did not start" >&2; exit 1; }
export STACKAUTH_BENCH_CLOUD="$addr"

log "1. Load: stackauth (criterion) and oslo.config (timeit)"
cargo bench --bench load -- "${crit[@]}"
"$py" bench/python/oslo_load.py bench/data/keystone.conf bench/data/keystone.conf.d "$py_seconds" | tee "$out/oslo_load.json"

log "2. Validate as a command: stackauth validate and oslo-config-validator"
# The parsed YAML opt-data is cached (filled by the warm-up runs); the
# "env" command scans it every time.
export STACKAUTH_OPTDATA_CACHE="$root/$out/optdata-cache"
commands=("env STACKAUTH_OPTDATA_CACHE=0 target/release/stackauth validate --opt-data tests/data/optdata/keystone.yaml --config-file bench/data/keystone.conf")
for data in tests/data/optdata/keystone.yaml tests/data/optdata/keystone.json; do
    commands+=("target/release/stackauth validate --opt-data $data --config-file bench/data/keystone.conf"
               "$venv/bin/oslo-config-validator --opt-data $data --input-file bench/data/keystone.conf")
done
if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 3 --runs "$validate_runs" --export-json "$out/validate.json" "${commands[@]}"
else
    "$py" bench/python/wall.py "$out/validate.json" "$validate_runs" "${commands[@]}"
fi

log "3. Snapshot reads during reloads"
cargo bench --bench snapshot_read -- "${crit[@]}"

log "4. Session + Adapter against raw reqwest (interleaved) and keystoneauth1"
STACKAUTH_BENCH_ROUNDS="$rounds" cargo bench --bench session_overhead | tee "$out/session_overhead.txt"
grep '^{' "$out/session_overhead.txt" > "$out/session_overhead.jsonl"
"$py" bench/python/ksa_session.py "$addr" "$ksa_rounds" | tee "$out/ksa_session.jsonl"

log "5. Token single flight"
cargo bench --bench session -- single_flight "${crit[@]}" 2>&1 | tee "$out/single_flight.log"
grep '^single flight' "$out/single_flight.log" > "$out/single_flight.txt"

log "6. Memory: identity daemons, $((count * 2)) requests each"
conf="$out/daemon.conf"
(umask 077 && cat > "$conf" <<EOF
[service_user]
auth_type = v3password
auth_url = http://$addr/v3
username = bench
password = bench-pw
user_domain_name = Default
project_name = service
project_domain_name = Default
EOF
)
rust_mem="$("$py" bench/python/peak_rss.py target/release/examples/identity_daemon --config-file "$conf" --count "$count" --interval 0)"
py_mem="$("$py" bench/python/peak_rss.py "$py" bench/python/identity_daemon.py --config-file "$conf" --count "$count" --interval 0)"
printf '{"requests": %d, "rust": %s, "python": %s}\n' "$((count * 2))" "$rust_mem" "$py_mem" | tee "$out/memory.json"

"$py" - "$out/env.json" <<'EOF'
import json, os, sys
env = json.load(open(sys.argv[1])); env["load_after"] = os.getloadavg()[0]
json.dump(env, open(sys.argv[1], "w"))
EOF

log "7. auth_token layer: cache hit, against the unprotected route and keystonemiddleware"
if $quick; then at_rounds=1 at_secs=2; else at_rounds=3 at_secs=5; fi
STACKAUTH_BENCH_VENV="$venv" bench/auth_token.sh "$at_rounds" "$at_secs" > "$out/auth_token.md"

log "Table ($out/table.md)"
{ "$py" bench/python/table.py "$out" target/criterion; echo; cat "$out/auth_token.md"; } | tee "$out/table.md"
