#!/usr/bin/env bash
# The auth_token layer's benchmarks, side by side (see BENCHMARKS.md):
#  1. in process, per request on a cache hit: the layer (criterion,
#     benches/auth_token.rs) vs the unprotected route, and vs
#     keystonemiddleware's auth_token in front of a WSGI app on its own
#     cache-hit path (bench/python/ksm_auth_token.py);
#  2. over HTTP, requests per second with wrk (16 connections, keep-alive):
#     the same route unprotected and protected, alternated ROUNDS times.
#
#   bench/auth_token.sh [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
secs="${2:-5}"
token="gAAAAABbench-user-token"

venv="${STACKAUTH_BENCH_VENV:-$PWD/target/bench-venv}"
bash bench/setup.sh "$venv" >&2
python="$venv/bin/python"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo bench --bench auth_token -- --noplot >&2
est() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate'])" "target/criterion/auth_token/$1/new/estimates.json"; }
open_ns=$(est "unprotected route")
hit_ns=$(est "behind the layer, cache hit")
ctx_ns=$(est "behind the layer, cache hit, context only")
py=$("$python" bench/python/ksm_auth_token.py "$secs")
py_ns=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['per_request_ns'])" "$py")

cargo build --release --example bench_auth_token_server >&2
out=$(mktemp)
./target/release/examples/bench_auth_token_server --threads 1 >"$out" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
url=$(sed -n 's/listening on \(http[^ ]*\).*/\1/p' "$out")
rps() { wrk -t1 -c16 -d"$secs" -H "X-Auth-Token: $token" "$url/$1" | awk '/Requests\/sec/ {print $2}'; }
opens=(); prots=(); ctxs=()
for _ in $(seq "$rounds"); do
    opens+=("$(rps open)"); prots+=("$(rps protected)"); ctxs+=("$(rps context-only)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
open_rps=$(median "${opens[@]}")
prot_rps=$(median "${prots[@]}")
ctx_rps=$(median "${ctxs[@]}")

python3 - "$open_ns" "$hit_ns" "$py_ns" "$open_rps" "$prot_rps" "$ctx_ns" "$ctx_rps" "${opens[*]}" "${prots[*]}" "${ctxs[*]}" <<'PY'
import sys
open_ns, hit_ns, py_ns, open_rps, prot_rps, ctx_ns, ctx_rps = map(float, sys.argv[1:8])
print("| auth_token, cache hit | stackauth | other | ratio | target |")
print("|---|---|---|---|---|")
print(f"| in process, per request: layer vs keystonemiddleware | {hit_ns/1000:.2f} µs | {py_ns/1000:.1f} µs | {py_ns/hit_ns:.0f}x faster | >= 30x |")
print(f"| in process, per request: layer vs unprotected route | {hit_ns/1000:.2f} µs | {open_ns/1000:.2f} µs | +{(hit_ns-open_ns)/1000:.2f} µs | - |")
print(f"| in process, per request: context only (no X-* headers) vs unprotected | {ctx_ns/1000:.2f} µs | {open_ns/1000:.2f} µs | +{(ctx_ns-open_ns)/1000:.2f} µs | - |")
print(f"| HTTP (wrk, 16 conns, 1 server thread): protected vs open | {prot_rps:,.0f} req/s | {open_rps:,.0f} req/s | {100*(open_rps-prot_rps)/open_rps:+.1f}% slower | within 5% |")
print(f"| HTTP: context only (no X-* headers) vs open | {ctx_rps:,.0f} req/s | {open_rps:,.0f} req/s | {100*(open_rps-ctx_rps)/open_rps:+.1f}% slower | within 5% |")
print(f"\nwrk rounds (req/s): open {sys.argv[8]}; protected {sys.argv[9]}; context only {sys.argv[10]}")
PY
