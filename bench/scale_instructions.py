"""Instructions per call of the three steps benches/scale.rs measures,
from a callgrind output file: read (source::read::read_text), read + parse
(source::file::read) and load (Loader::load). Prints one CSV row.

    python3 bench/scale_instructions.py CALLGRIND_OUT SERIES CASE BYTES
"""

import re
import subprocess
import sys

STEPS = [("read", "stackauth::source::read::read_text"),
         ("parse", "stackauth::source::file::read"),
         ("load", "stackauth::resolve::Loader::load")]


def main():
    out, series, case, size = sys.argv[1:5]
    tree = subprocess.run(["callgrind_annotate", "--tree=caller", "--inclusive=yes", "--threshold=100", out],
                          capture_output=True, text=True, check=True).stdout
    per_call = []
    for _, name in STEPS:
        # A function's block: its callers ("< ... (Nx)"), then "* ... name".
        block = re.search(r"((?:^ *[\d,]+ \([^)]*\)  < .*\n)+)^ *([\d,]+) \([^)]*\)  \*  \S*?" + re.escape(name) + r" \[",
                          tree, re.M)
        if not block:
            sys.exit(f"{name} not found in {out}")
        calls = sum(int(n) for n in re.findall(r"\((\d+)x\)", block.group(1)))
        per_call.append(int(block.group(2).replace(",", "")) // max(1, calls))
    print(",".join([series, case, size] + [str(v) for v in per_call]))


if __name__ == "__main__":
    main()
