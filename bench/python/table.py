"""Prints the side-by-side table (markdown) from one bench/run.sh run.

    python bench/python/table.py RESULTS_DIR CRITERION_DIR

RESULTS_DIR holds what run.sh wrote (oslo_load.json, validate.json,
session_overhead.jsonl, ksa_session.jsonl, single_flight.txt, memory.json,
env.json); CRITERION_DIR is target/criterion, where the in-process Rust
benches left their estimates.
"""

import json
import os
import re
import sys


def criterion(root):
    """full benchmark id -> median seconds."""
    out = {}
    for d, _, files in os.walk(root):
        if os.path.basename(d) == "new" and "benchmark.json" in files:
            b = json.load(open(os.path.join(d, "benchmark.json")))
            e = json.load(open(os.path.join(d, "estimates.json")))
            out[b["full_id"]] = e["median"]["point_estimate"] / 1e9
    return out


def lines(path):
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.startswith("{")]


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def t(seconds):
    """A duration with a unit that fits."""
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.2g} ns"


def x(ratio):
    return "-" if ratio is None else f"{ratio:.1f}x" if ratio < 100 else f"{ratio:.0f}x"


def verdict(ok):
    return "-" if ok is None else ("**met**" if ok else "**missed**")


def main():
    res, crit_dir = sys.argv[1], sys.argv[2]
    crit = criterion(crit_dir)
    env = load(os.path.join(res, "env.json")) or {}
    rows = []

    # 1. Load, in-process.
    py = load(os.path.join(res, "oslo_load.json"))
    rs = crit.get("load/file + dir (registry built)")
    rs_reg = crit.get("load/file + dir + registry copy")
    if py and rs:
        what = (f"load Keystone's config in-process: {py['options']} options in {py['groups']} groups, "
                f"3,200-line file + 5-file dir, every option typed and checked")
        r = py["load_s"] / rs
        rows.append(("1", what, t(rs), f"oslo.config {t(py['load_s'])}", x(r), "≥ 100x", verdict(r >= 100)))
        if rs_reg:
            r2 = py["load_register_s"] / rs_reg
            rows.append(("1", "the same, options registered anew each time", t(rs_reg),
                         f"oslo.config {t(py['load_register_s'])}", x(r2), "≥ 100x", verdict(r2 >= 100)))
    v = crit.get("load/validate (file + dir, auth plugin checked)")
    if v:
        rows.append(("1", "in-process validate (the load plus auth plugin checks)", t(v), "-", "-", "-", "-"))

    # 2. Validate as a command.
    val = load(os.path.join(res, "validate.json"))
    if val:
        by = {}
        for r in val["results"]:
            fmt = "json" if "keystone.json" in r["command"] else "yaml"
            who = "stackauth" if "stackauth" in r["command"] else "oslo"
            # The opt-data cache turned off: the YAML scanned on every run.
            nocache = "STACKAUTH_OPTDATA_CACHE=0" in r["command"]
            by[(who, fmt + (" uncached" if nocache else ""))] = r["median"]
        for fmt, target in (("yaml", True), ("yaml uncached", False), ("json", False)):
            s, o = by.get(("stackauth", fmt)), by.get(("oslo", fmt.split()[0]))
            if s and o:
                r = o / s
                what = {"yaml": "YAML opt-data (its parsed form cached)", "yaml uncached": "YAML opt-data, cache off",
                        "json": "JSON opt-data"}[fmt]
                rows.append(("2", f"validate command, whole process, same file and {what}",
                             t(s), f"oslo-config-validator {t(o)}", x(r), "≥ 50x" if target else "-",
                             verdict(r >= 50) if target else "-"))

    # 3. Snapshot reads.
    peek = crit.get("snapshot_read/peek (pointer load)")
    get = crit.get("snapshot_read/peek + get option")
    busy = crit.get("snapshot_read/peek + get option, reloading meanwhile")
    if peek and get and busy:
        rows.append(("3", "read an option from the live snapshot: pointer load / + lookup / + lookup while "
                     "another thread reloads", f"{t(peek)} / {t(get)} / {t(busy)}", "-", "-",
                     "a few ns, no lock", verdict(peek <= 10e-9)))

    # 4. Session vs keystoneauth1.
    ours = {r["tasks"]: r for r in lines(os.path.join(res, "session_overhead.jsonl"))}
    ksa = {r["tasks"]: r for r in lines(os.path.join(res, "ksa_session.jsonl"))}
    for tasks in sorted(ours):
        o, k = ours[tasks], ksa.get(tasks)
        if k:
            r = k["seconds"] / o["session_s"]
            rows.append(("4", f"authenticated GETs through Session + Adapter, {tasks} concurrent "
                         f"({'thread' if tasks == 1 else 'threads'} in Python)",
                         f"{1 / o['session_s']:,.0f} req/s", f"keystoneauth1 {1 / k['seconds']:,.0f} req/s",
                         x(r), "≥ 20x", verdict(r >= 20)))

    # 6. Memory.
    mem = load(os.path.join(res, "memory.json"))
    if mem:
        rs_kb, py_kb = mem["rust"]["max_rss_kb"], mem["python"]["max_rss_kb"]
        rows.append(("6", f"peak RSS of the identity daemon after {mem['requests']:,} requests",
                     f"{rs_kb / 1024:.1f} MiB", f"keystoneauth1 + oslo.config {py_kb / 1024:.1f} MiB",
                     f"{py_kb / rs_kb:.1f}x less", "less", verdict(rs_kb < py_kb)))

    print("| # | what | stackauth | Python | ratio | target | verdict |")
    print("|---|---|---:|---:|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")

    # 4. Session vs raw reqwest.
    if ours:
        print()
        print("| concurrent | Session + Adapter | raw reqwest | overhead, wall | "
              "client CPU per request (Session / raw) | overhead, CPU | target | verdict |")
        print("|---:|---:|---:|---:|---:|---:|---|---|")
        for tasks in sorted(ours):
            o = ours[tasks]
            wall, cpu = o["ratio"] - 1, o["cpu_ratio"] - 1
            print(f"| {tasks} | {1 / o['session_s']:,.0f} req/s | {1 / o['raw_s']:,.0f} req/s | "
                  f"{wall * 100:+.1f}% | {t(o['session_cpu_s'])} / {t(o['raw_cpu_s'])} | {cpu * 100:+.1f}% | "
                  f"≤ 3% | {verdict(wall <= 0.03)} |")

    # 5. Single flight.
    sf = os.path.join(res, "single_flight.txt")
    if os.path.exists(sf):
        print()
        print("| single flight | time per burst | token POSTs per burst | target |")
        print("|---|---:|---:|---|")
        for line in open(sf):
            m = re.match(r"single flight, (.*): (\d+) bursts, (\d+) token POSTs", line.strip())
            if m:
                name, bursts, posts = m.group(1), int(m.group(2)), int(m.group(3))
                est = crit.get(f"single_flight/{name}")
                print(f"| {name} | {t(est)} | {posts / max(bursts, 1):.2f} ({posts} in {bursts} bursts) | 1 |")

    if env:
        print()
        print(f"Machine: {env.get('cpus')} CPUs, load average {env.get('load_before')} before and "
              f"{env.get('load_after')} after; {env.get('rustc')}; Python {env.get('python')}; "
              f"commit {env.get('commit')}; {env.get('date')}.")


if __name__ == "__main__":
    main()
