"""keystoneauth1's Session + Adapter sending authenticated GETs (catalog
lookup, token header) to the benchmarks' server, from 1, 16 and 256
threads: the Python side of benches/session_overhead.rs.

    python bench/python/ksa_session.py HOST:PORT [ROUNDS]

HOST:PORT is an examples/bench_cloud server. Prints one JSON line per
concurrency: seconds per request (median of the rounds).
"""

import itertools
import json
import sys
import threading
import time

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

REQUESTS = {1: 1000, 16: 2000, 256: 2000}


def make(base, threads):
    auth = v3.Password(
        auth_url=f"{base}/v3", username="bench", password="bench-pw",
        user_domain_name="Default", project_name="service",
        project_domain_name="Default")
    s = ks_session.Session(auth=auth)
    # requests keeps 10 connections per host by default; with more threads
    # it would open and close connections. Give it one per thread, as the
    # Rust clients' pools do.
    s.session.mount("http://", ks_session.TCPKeepAliveAdapter(
        pool_connections=1, pool_maxsize=max(10, threads)))
    a = ks_adapter.Adapter(s, service_type="compute",
                           interface=["internal", "public"])
    return s, a


def batch(a, threads, n):
    """Seconds per request of n GETs from `threads` threads."""
    counter = itertools.count()

    def worker():
        while next(counter) < n:
            r = a.get("/servers")
            assert r.status_code == 200
            len(r.content)

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return (time.perf_counter() - start) / n


def main():
    base = "http://" + sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for threads, n in REQUESTS.items():
        _, a = make(base, threads)
        batch(a, threads, min(n, 200))  # token, connections
        times = sorted(batch(a, threads, n) for _ in range(rounds))
        print(json.dumps({"bench": "ksa_session", "tasks": threads,
                          "rounds": rounds, "requests_per_batch": n,
                          "seconds": times[len(times) // 2]}), flush=True)


if __name__ == "__main__":
    main()
