#!/usr/bin/env bash
# How load time grows with the number of options (10 to 10,000) and with
# the size of the file (1 KB to 10 MB): generates the configurations
# (bench/scale_gen.py), times read, parse and load of each
# (benches/scale.rs, release), and writes bench/scale.csv, the plot
# bench/scale.svg and the markdown table (printed, and in
# target/scale/table.md) that BENCHMARKS.md's "How cost grows" shows.
#
#   bench/scale.sh          # a few minutes once the release build is done
#
# Needs python3 (standard library only). Files stay under the 16 MiB
# that the reader accepts (src/source/read.rs).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="target/scale"
rm -rf "$work/cases"
mkdir -p "$work"
python3 bench/scale_gen.py "$work/cases"
cargo bench --bench scale -- "$root/$work/cases" > "$work/scale.csv"
cp "$work/scale.csv" bench/scale.csv
python3 bench/scale_plot.py bench/scale.csv bench/scale.svg > "$work/table.md"
cat "$work/table.md"
