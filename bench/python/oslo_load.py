"""oslo.config loading Keystone's configuration, in-process (timeit; the
interpreter's start and the modules' import are not counted).

    python bench/python/oslo_load.py CONFIG_FILE CONFIG_DIR [SECONDS]

The options are Keystone's real ones, from the same namespaces that
tests/data/optdata/keystone.yaml was generated from. Two measurements:

- load: parse the file and the dir, resolve, and read every option (oslo.config
  types and checks a value only when it is read), options registered once;
- load+register: the same on a new ConfigOpts, registering every option first.

Prints one JSON object: seconds per call (median of the repeats) and what
was read, so the Rust side can be checked to read the same.
"""

import json
import sys
import timeit
import warnings

warnings.simplefilter("ignore")

from oslo_config import cfg, generator  # noqa: E402

NAMESPACES = [
    "keystone", "keystonemiddleware.auth_token", "oslo.cache", "oslo.log",
    "oslo.messaging", "oslo.policy", "oslo.db", "oslo.middleware", "osprofiler",
]


def option_groups():
    """(group name, group object or None, [opts]) for every group."""
    groups = generator._get_groups(generator._list_opts(NAMESPACES))
    out = []
    for name, info in groups.items():
        opts = [o for _, ns_opts in info["namespaces"] for o in ns_opts]
        out.append((name, info["object"], opts))
    return out


def register(conf, groups):
    for name, obj, opts in groups:
        if name == "DEFAULT":
            conf.register_opts(opts)
        else:
            conf.register_opts(opts, group=obj or name)


def read_all(conf, groups):
    """Reads every option (oslo.config types and checks it then)."""
    for name, _, opts in groups:
        node = conf if name == "DEFAULT" else conf[name]
        for o in opts:
            node[o.dest]


def count(conf, groups):
    """How many options, and how many of them the files set."""
    n, from_files = 0, 0
    for name, _, opts in groups:
        for o in opts:
            n += 1
            loc = conf.get_location(o.dest, None if name == "DEFAULT" else name)
            if loc is not None and loc.location == cfg.Locations.user:
                from_files += 1
    return n, from_files


def parse(conf, config_file, config_dir):
    conf(args=["--config-file", config_file, "--config-dir", config_dir],
         project="keystone", default_config_files=[], default_config_dirs=[])


def per_call(fn, seconds):
    """Median seconds per call, calls batched to about 0.2 s each."""
    t = timeit.Timer(fn)
    number, _ = t.autorange()
    repeats = max(5, int(seconds / max(t.timeit(number), 1e-9)))
    times = sorted(x / number for x in t.repeat(repeat=repeats, number=number))
    return times[len(times) // 2]


def main():
    config_file, config_dir = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    groups = option_groups()
    conf = cfg.ConfigOpts()
    register(conf, groups)

    def load():
        parse(conf, config_file, config_dir)
        read_all(conf, groups)

    def load_register():
        c = cfg.ConfigOpts()
        register(c, groups)
        parse(c, config_file, config_dir)
        read_all(c, groups)

    load()
    options, from_files = count(conf, groups)
    print(json.dumps({
        "groups": len(groups),
        "options": options,
        "from_files": from_files,
        "load_s": per_call(load, seconds),
        "load_register_s": per_call(load_register, seconds),
    }))


if __name__ == "__main__":
    main()
