#!/usr/bin/env bash
# Time and peak memory of the release `stackauth` over the large inputs of
# the bad-input corpus (tests/common/corpus.rs), for HARDENING.md. Not a
# test: the tests assert only what the answers are.
#
#   tests/measure_bad_input.sh        # builds target/release/stackauth first
#
# Needs GNU time (/usr/bin/time) and python3. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 19 cargo build --release --quiet
bin="$PWD/target/release/stackauth"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import os, sys
d = sys.argv[1]
head = "[keystone_authtoken]\n"
def write(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
def fill(size, line):
    """Whole lines, as many as fit in `size` bytes."""
    return head + line * ((size - len(head)) // len(line))
write("fifty-megabytes.conf", fill(50 << 20, "# " + "x" * 70 + "\nregion_name = RegionOne\n"))
write("16-mib-comments.conf", fill(16 << 20, "# " + "x" * 77 + "\n"))
write("16-mib-assignments.conf", fill(16 << 20, "region_name = RegionOne\n"))
write("long-line.conf", head + "region_name = " + "x" * (1 << 20) + "\n")
write("many-groups.conf", "".join("[group%d]\nk = v\n" % i for i in range(100_000)))
write("unknown-options.conf", head + "".join("option_%08d = value\n" % i for i in range(100_000)))
names = ["region_name", "www_authenticate_uri", "cafile", "certfile", "keyfile", "memcache_username", "admin_user"]
text = head + names[0] + " = " + "x" * 100 + "\n"
for a, b in zip(names, names[1:]):
    text += b + " = " + ("$" + a) * 10 + "\n"
write("expansion.conf", text)
PY
mkfifo "$dir/fifo.conf"

echo "| input | size | command | exit | seconds | peak RSS |"
echo "|---|---|---|---|---|---|"
for f in "$dir"/*.conf /dev/zero; do
    name="$(basename "$f")"
    size="$(stat -c %s "$f" 2>/dev/null || echo 0)"
    [[ -p "$f" || -c "$f" ]] && size="-"
    [[ -c "$f" ]] && name="$f"
    for cmd in validate show; do
        set +e
        /usr/bin/time -o "$dir/time" -f "%e %M" "$bin" "$cmd" --no-env --config-file "$f" >/dev/null 2>&1
        code=$?
        set -e
        read -r secs kb < <(tail -n 1 "$dir/time")
        echo "| $name | $size | $cmd | $code | $secs | $((kb / 1024)) MiB |"
    done
done
