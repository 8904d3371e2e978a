"""Random edits of a real config, for the differential test.

Reads a config file (the generated Keystone sample with every option
filled), and writes COUNT variants, each with a few random edits of the
kinds that oslo.config's parser and interpolation treat in their own way:
quoting, continuation lines, key case, dashes, `$` references (resolving,
missing, escaped, naming DEFAULT), repeated keys, repeated groups, `:` as
separator, odd spacing, empty values, inline `#`, boolean and integer
spellings. Deterministic (seeded), so the output can be checked in and CI
never runs this script:

    python3 tests/oslo/mutate.py SRC OUT_DIR [COUNT] [SEED]
"""

import os
import random
import re
import sys

ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)(.*)$")


def edits(rng, lines):
    """Applies one random edit to lines (a list of str), in place."""
    idx = [i for i, l in enumerate(lines) if ASSIGN.match(l)]
    if not idx:
        return
    i = rng.choice(idx)
    key, sep, value = ASSIGN.match(lines[i]).groups()
    kind = rng.randrange(16)
    if kind == 0:
        q = rng.choice(['"', "'"])
        lines[i] = "%s%s%s%s%s" % (key, sep, q, value, q)
    elif kind == 1:
        lines[i] = "%s%s%s\n  %s" % (key, sep, value, rng.choice(["more", "x", value or "y"]))
    elif kind == 2:
        lines[i] = "%s%s%s" % (key.upper() if rng.random() < 0.5 else key.capitalize(), sep, value)
    elif kind == 3:
        lines[i] = "%s%s%s" % (key.replace("_", "-"), sep, value)
    elif kind == 4:
        other = ASSIGN.match(lines[rng.choice(idx)]).group(1)
        ref = rng.choice(["$" + other, "${" + other + "}", "$$" + other, "\\$" + other,
                          "$no_such_opt", "${DEFAULT.debug}", "$", "$1"])
        lines[i] = "%s%s%s%s" % (key, sep, value, ref)
    elif kind == 5:
        j = rng.randrange(i + 1, len(lines) + 1)
        lines.insert(j, "%s = %s" % (key, rng.choice(["1", "true", "other", value])))
    elif kind == 6:
        group = None
        for k in range(i, -1, -1):
            if lines[k].startswith("["):
                group = lines[k]
                break
        if group:
            lines.append(group)
            lines.append("%s = %s" % (key, rng.choice(["2", "false", "again", value])))
    elif kind == 7:
        lines[i] = "%s : %s" % (key, value)
    elif kind == 8:
        lines[i] = "%s=%s   " % (key, value)
    elif kind == 9:
        lines[i] = "%s =" % key
    elif kind == 10:
        lines[i] = "%s%s%s # a comment" % (key, sep, value)
    elif kind == 11:
        if value.lower() in ("true", "false"):
            lines[i] = "%s%s%s" % (key, sep, rng.choice(["yes", "no", "on", "off", "1", "0", "True", "FALSE", "maybe"]))
        elif re.fullmatch(r"-?\d+", value):
            lines[i] = "%s%s%s" % (key, sep, rng.choice([" %s " % value, "+" + value, "0x10", "1e3", "-1", "99999999", value + ".0"]))
        else:
            lines[i] = "%s%s%s" % (key, sep, rng.choice(["a,b", "a:1,b:2", " spaced ", "", "http://h:5000/v3"]))
    elif kind == 12:
        lines.insert(i, "[%s]" % rng.choice(["DEFAULT", "database", "cache", "Token", "nosuchgroup"]))
    elif kind == 13:
        lines[i] = "%s%s%s" % (key, sep, "a\\tb\\\\c")
    elif kind == 14:
        lines[i] = "%s%s%s" % (key, sep, value + "," + value if value else "x,y")
    else:
        lines[i] = "  %s%s%s" % (key, sep, value)


def main(argv):
    src, out = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 24
    seed = int(argv[3]) if len(argv) > 3 else 16
    rng = random.Random(seed)
    with open(src) as f:
        base = f.read().split("\n")
    os.makedirs(out, exist_ok=True)
    for n in range(count):
        lines = list(base)
        for _ in range(rng.randrange(3, 9)):
            edits(rng, lines)
        with open(os.path.join(out, "mutated-%02d.conf" % n), "w") as f:
            f.write("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
