#!/usr/bin/env bash
# The Session's cost per request over raw reqwest, in instructions
# (callgrind), which other processes on a busy machine do not disturb:
# benches/session_overhead.rs in its profile mode sends N authenticated GETs
# through a Session + Adapter (or raw reqwest with a fixed token) from T
# tasks against an examples/bench_cloud process, so the count holds the
# client alone. N = 3,000 and 9,000: (Ir(9000) - Ir(3000)) / 6000 per
# request, so start-up and the first login cancel out.
#
#   bench/session_instructions.sh             # 1 and 16 tasks, a few minutes
#   TASKS="1 16 256" bench/session_instructions.sh
#   KEEP=1 bench/session_instructions.sh      # keep target/session_callgrind/*.out for callgrind_annotate
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build -q --release --example bench_cloud
bin="$(cargo bench --bench session_overhead --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p')"
[[ -x "$bin" ]] || { echo "could not build benches/session_overhead.rs" >&2; exit 1; }
out="target/session_callgrind"
mkdir -p "$out"
target/release/examples/bench_cloud 127.0.0.1:0 > "$out/cloud.out" &
cloud=$!
trap 'kill $cloud 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    addr="$(sed -n 's/^listening on //p' "$out/cloud.out")"
    [[ -n "$addr" ]] && break
    sleep 0.1
done
[[ -n "$addr" ]] || { echo "bench_cloud did not start" >&2; exit 1; }
small=3000
large=9000
ir() {
    local f="$out/$1-$2-$3.out"
    STACKAUTH_BENCH_CLOUD="$addr" STACKAUTH_BENCH_PROFILE="$1:$2:$3" \
        valgrind --tool=callgrind --callgrind-out-file="$f" "$bin" >/dev/null 2>"$f.log"
    sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f"
}
echo "| tasks | raw reqwest | Session + Adapter | over raw |"
echo "|---:|---:|---:|---:|"
for tasks in ${TASKS:-1 16}; do
    declare -A per
    for which in raw session; do
        a=$(ir "$which" "$small" "$tasks")
        b=$(ir "$which" "$large" "$tasks")
        per[$which]=$(( (b - a) / (large - small) ))
    done
    awk -v t="$tasks" -v r="${per[raw]}" -v s="${per[session]}" \
        'BEGIN { printf "| %d | %.1fk | %.1fk | %+.1f%% |\n", t, r / 1000, s / 1000, (s / r - 1) * 100 }'
done
[[ -n "${KEEP:-}" ]] || rm -f "$out"/*.out
