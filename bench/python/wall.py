"""Whole-process wall time of commands, for where hyperfine is missing:
writes hyperfine's --export-json shape (results: command, mean, median,
min, max, times) so bench/python/table.py reads either.

    python bench/python/wall.py OUT.json RUNS COMMAND [COMMAND...]

Each COMMAND is one shell-free string split on spaces; stdout and stderr
are discarded; 3 warm-up runs each; the commands alternate run by run.
"""

import json
import statistics
import subprocess
import sys
import time


def once(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    out, runs, commands = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    argvs = [c.split() for c in commands]
    for argv in argvs:
        for _ in range(3):
            once(argv)
    times = [[] for _ in argvs]
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            times[i].append(once(argv))
    results = [{"command": c, "mean": statistics.mean(t), "median": statistics.median(t),
                "min": min(t), "max": max(t), "times": t} for c, t in zip(commands, times)]
    json.dump({"results": results}, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
