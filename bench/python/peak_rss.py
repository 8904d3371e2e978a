"""Peak resident memory of a command, with its output discarded.

    python bench/python/peak_rss.py COMMAND [ARG...]

Reads the child's own high-water mark (VmHWM in /proc/PID/status) every
2 ms while it runs, and keeps the last value: the kernel's ru_maxrss would
also count the launcher's memory from before the exec (this Python
process's, when it starts the child). Prints one JSON object:
{"max_rss_kb": N, "seconds": S}.
"""

import json
import subprocess
import sys
import time


def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = 0
while child.poll() is None:
    peak = max(peak, hwm(child.pid))
    time.sleep(0.002)
seconds = time.perf_counter() - start
if child.returncode != 0:
    sys.exit(f"{sys.argv[1]} exited with {child.returncode}")
print(json.dumps({"max_rss_kb": peak, "seconds": seconds}))
