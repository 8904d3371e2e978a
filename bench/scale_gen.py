"""Writes the synthetic configurations of bench/scale.sh: for each case a
directory with opt-data (oslo-config-generator's JSON format) and an INI
file in the style of a generated sample (help comments, the commented
default, then the value set).

    python3 bench/scale_gen.py OUT_DIR

Two series:
- options/N for N = 10, 100, 1,000, 10,000: N options in groups of 20,
  every one set once (the file grows with N: about 240 bytes an option);
- size/S for S = 1 KB ... 10 MB: 100 options in 5 groups, the file cut at
  S bytes from blocks that set them in turn (a key set again replaces its
  value, as in oslo.config), about 80% comment bytes like a shipped
  keystone.conf.

Deterministic: the same files every run. Standard library only.
"""

import json
import os
import sys

TYPES = [
    ("string value", lambda i: f"value-{i}.example.com"),
    ("integer value", lambda i: str(i % 1000)),
    ("boolean value", lambda i: "true" if i % 2 else "false"),
    ("string value", lambda i: f"http://host-{i}:5000/v3"),
    ("list value", lambda i: f"a{i},b{i},c{i}"),
]


def opt(group_index, j):
    """Option j of a group: its name, opt-data entry and a value to set."""
    kind, value = TYPES[j % len(TYPES)]
    name = f"option_{group_index}_{j}"
    entry = {
        "name": name, "dest": name, "type": kind, "default": None, "help": f"Help for {name}.",
        "advanced": False, "choices": [], "deprecated_for_removal": False, "deprecated_opts": [],
        "deprecated_reason": None, "deprecated_since": None, "max": None, "metavar": None, "min": None,
        "mutable": False, "namespace": "scale", "positional": False, "required": False,
        "sample_default": None, "secret": False, "short": None,
    }
    return name, entry, value(group_index * 100 + j)


def groups_of(n_options, per_group):
    """[(group name, [(option name, entry, value)])]"""
    out = []
    for g in range(max(1, (n_options + per_group - 1) // per_group)):
        count = min(per_group, n_options - g * per_group)
        name = "DEFAULT" if g == 0 else f"group_{g}"
        out.append((name, [opt(g, j) for j in range(count)]))
    return out


def write_optdata(path, groups):
    options = {
        name: {"driver_option": "", "driver_opts": {}, "dynamic_group_owner": "", "help": "",
               "opts": [entry for _, entry, _ in opts]}
        for name, opts in groups
    }
    with open(path, "w") as f:
        json.dump({"deprecated_options": {}, "generator_options": {}, "options": options}, f)


HELP = (
    "# {name}: what the option does, in the words of the generator's sample,\n"
    "# wrapped at seventy columns as oslo-config-generator wraps help text\n"
    "# (string value, the default shown commented out below)\n"
)


def block(name, value):
    """One option as a generated sample shows it, then set."""
    return HELP.format(name=name) + f"#{name} = <None>\n{name} = {value}\n\n"


def write_options_case(out, n):
    groups = groups_of(n, 20)
    write_optdata(os.path.join(out, "optdata.json"), groups)
    with open(os.path.join(out, "file.conf"), "w") as f:
        for gname, opts in groups:
            f.write(f"[{gname}]\n\n")
            for name, _, value in opts:
                f.write(block(name, value))


def write_size_case(out, size):
    groups = groups_of(100, 20)
    write_optdata(os.path.join(out, "optdata.json"), groups)
    parts, total, k = [], 0, 0
    while total < size:
        gname, opts = groups[k % len(groups)]
        text = f"[{gname}]\n\n" + "".join(block(name, value) for name, _, value in opts[: 1 + k % 4])
        parts.append(text)
        total += len(text)
        k += 1
    text = "".join(parts)
    # Cut at the last whole block that fits (at least one).
    cut = text.rfind("\n\n", 0, size)
    text = text[: cut + 2] if cut > 0 else text
    with open(os.path.join(out, "file.conf"), "w") as f:
        f.write(text)


def main():
    root = sys.argv[1]
    for n in (10, 100, 1000, 10000):
        d = os.path.join(root, "options", f"{n:05}")
        os.makedirs(d, exist_ok=True)
        write_options_case(d, n)
    for label, size in (("1KB", 1 << 10), ("10KB", 10 << 10), ("100KB", 100 << 10), ("1MB", 1 << 20), ("10MB", 10 << 20)):
        d = os.path.join(root, "size", f"{size:09}-{label}")
        os.makedirs(d, exist_ok=True)
        write_size_case(d, size)


if __name__ == "__main__":
    main()
