#!/usr/bin/env bash
# The auth_token layer's cost per request on a cache hit, in instructions
# (callgrind), which other processes on a busy machine do not disturb:
# benches/auth_token.rs's routers run N requests each
# (STACKAUTH_BENCH_PROFILE) for two values of N, so start-up and the first
# validation cancel out: (Ir(9000) - Ir(3000)) / 6000 per request, and the
# layer's cost is that minus the unprotected route's. The bench's token
# is 23 bytes; the last rows use one of a Fernet token's length (186).
#
#   bench/auth_token_instructions.sh          # about a minute
#   KEEP=1 bench/auth_token_instructions.sh   # keep target/auth_token_callgrind/*.out for callgrind_annotate
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="$(cargo bench --bench auth_token --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p')"
[[ -x "$bin" ]] || { echo "could not build benches/auth_token.rs" >&2; exit 1; }
out="target/auth_token_callgrind"
mkdir -p "$out"
small=3000
large=9000
ir() {
    local f="$out/$1-$2${STACKAUTH_BENCH_TOKEN_BYTES:+-long}.out"
    STACKAUTH_BENCH_PROFILE="$1:$2" valgrind --tool=callgrind --callgrind-out-file="$f" "$bin" >/dev/null 2>"$f.log"
    sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f"
}
declare -A per
for which in open protected context; do
    a=$(ir "$which" "$small")
    b=$(ir "$which" "$large")
    per[$which]=$(( (b - a) / (large - small) ))
done
# The same with a token of a Fernet token's length (186 bytes).
export STACKAUTH_BENCH_TOKEN_BYTES=186
for which in open protected; do
    a=$(ir "$which" "$small")
    b=$(ir "$which" "$large")
    per[$which-186]=$(( (b - a) / (large - small) ))
done
unset STACKAUTH_BENCH_TOKEN_BYTES
echo "| route (cache hit) | instructions per request | layer's added instructions |"
echo "|---|---:|---:|"
echo "| unprotected | ${per[open]} | - |"
echo "| behind the layer, identity headers | ${per[protected]} | $(( per[protected] - per[open] )) |"
echo "| behind the layer, context only | ${per[context]} | $(( per[context] - per[open] )) |"
echo "| unprotected, 186-byte token | ${per[open-186]} | - |"
echo "| behind the layer, identity headers, 186-byte token | ${per[protected-186]} | $(( per[protected-186] - per[open-186] )) |"
[[ -n "${KEEP:-}" ]] || rm -f "$out"/*.out "$out"/*.log
