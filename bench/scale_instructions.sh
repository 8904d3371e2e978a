#!/usr/bin/env bash
# Instructions per step (callgrind) for each case of bench/scale.sh: a
# count that other processes on the machine do not disturb, to tell
# whether growth is linear where wall time is too noisy to say. Run
# bench/scale.sh first (it writes the cases). Prints a markdown table and
# writes bench/scale-instructions.csv.
#
#   bench/scale_instructions.sh      # a few minutes (valgrind is ~50x slower)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="target/scale"
[[ -d "$work/cases" ]] || { echo "run bench/scale.sh first" >&2; exit 2; }
bin="$(cargo bench --bench scale --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p')"
mkdir -p "$work/callgrind"
echo "series,case,bytes,read_ir,parse_ir,load_ir" > "$work/instructions.csv"
for dir in "$work"/cases/*/*; do
    series="$(basename "$(dirname "$dir")")"
    case="$(basename "$dir")"
    out="$work/callgrind/$series-$case.out"
    SCALE_ONCE=1 valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$root/$dir" > /dev/null 2> "$out.log"
    python3 bench/scale_instructions.py "$out" "$series" "$case" "$(stat -c %s "$dir/file.conf")" >> "$work/instructions.csv"
done
cp "$work/instructions.csv" bench/scale-instructions.csv
python3 - "$work/instructions.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| series | case | read, Ir | read + parse, Ir | load, Ir | parse Ir per byte | load slope |")
print("|---|---|---:|---:|---:|---:|---:|")
prev = None
for r in rows:
    slope = "-"
    if prev and prev["series"] == r["series"]:
        key = "bytes"
        slope = f"{math.log(int(r['load_ir']) / int(prev['load_ir'])) / math.log(int(r[key]) / int(prev[key])):.2f}"
    print(f"| {r['series']} | {r['case']} | {int(r['read_ir']):,} | {int(r['parse_ir']):,} | {int(r['load_ir']):,} | "
          f"{int(r['parse_ir']) / int(r['bytes']):.1f} | {slope} |")
    prev = r
PY
