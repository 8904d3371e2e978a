"""Loads config files with the real oslo.config and dumps every option.

Registers the options of an ``oslo-config-generator --format yaml`` file,
reads the config files and dirs given (in the order given, as a service's
``--config-file``/``--config-dir`` arguments) and the process environment
(``OS_<GROUP>__<DEST>``), then reads every option and prints, as JSON:

    {"groups": {group: {dest: {"value": ...} | {"error": "..."}}},
     "load_error": null | "..."}

Used by tests/tools/oslo_differential.rs, which runs ``stackauth show`` on the
same inputs and compares value by value.

    python dump.py --opt-data keystone.yaml [--config-file F | --config-dir D]...
"""

import json
import sys

import yaml
from oslo_config import cfg, types

MAKERS = {
    "string value": cfg.StrOpt,
    "multi valued": cfg.MultiStrOpt,
    "boolean value": cfg.BoolOpt,
    "integer value": cfg.IntOpt,
    "floating point value": cfg.FloatOpt,
    "port value": cfg.PortOpt,
    "port": cfg.PortOpt,
    "list value": cfg.ListOpt,
    "dict value": cfg.DictOpt,
    "uri value": cfg.URIOpt,
    "ip address value": cfg.IPOpt,
    "host address value": cfg.HostAddressOpt,
    "host domain value": cfg.HostDomainOpt,
    "hostname value": cfg.HostnameOpt,
}


def make_opt(o):
    """An Opt like the one the generator described (unknown types: strings,
    as stackauth reads them)."""
    kind = str(o.get("type", "string value")).strip().lower()
    maker = MAKERS.get(kind, cfg.StrOpt)
    kw = {
        "dest": o.get("dest") or None,
        "secret": bool(o.get("secret")),
        # Services register such options after loading (oslo.middleware's
        # tracing service_name) or set their defaults in code: checked at
        # load time they would fail every real configuration.
        "required": False,
        "deprecated_opts": [
            cfg.DeprecatedOpt(d.get("name"), group=d.get("group"))
            for d in o.get("deprecated_opts") or []
        ],
    }
    if maker in (cfg.IntOpt, cfg.FloatOpt, cfg.PortOpt):
        if o.get("min") is not None:
            kw["min"] = o["min"]
        if o.get("max") is not None:
            kw["max"] = o["max"]
    choices = o.get("choices") or []
    default = o.get("default")
    if choices and maker in (cfg.StrOpt, cfg.IntOpt, cfg.PortOpt):
        kw["choices"] = [c[0] if isinstance(c, (list, tuple)) else c for c in choices]
        # Opt-data does not say ignore_case; a default that matches a
        # choice only in another case says it (oslo.log's
        # log_rotate_interval_type: default "days", choice "Days"). The
        # same inference as stackauth's importer.
        if (maker is cfg.StrOpt and isinstance(default, str) and default not in kw["choices"]
                and default.lower() in [str(c).lower() for c in kw["choices"]]):
            kw["ignore_case"] = True
    try:
        return maker(o["name"], default=default, **kw)
    except Exception:  # a default the type rejects: registered without one
        return maker(o["name"], **kw)


def plain(value):
    """A value as JSON can hold it (IP addresses and the like as text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def main(argv):
    opt_data = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--opt-data":
            opt_data = argv[i + 1]
        else:
            args += [argv[i], argv[i + 1]]
        i += 2
    with open(opt_data) as f:
        data = yaml.safe_load(f)
    conf = cfg.ConfigOpts()
    registered = []
    for group, g in data["options"].items():
        for o in g.get("opts") or []:
            opt = make_opt(o)
            try:
                conf.register_opt(opt, group=None if group == "DEFAULT" else group)
            except cfg.DuplicateOptError:
                continue
            registered.append((group, opt.dest))
    out = {"groups": {}, "load_error": None}
    try:
        conf(args=args, project="differential", default_config_files=[], default_config_dirs=[])
    except Exception as e:  # parse errors, required options
        out["load_error"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(out, sort_keys=True))
        return 0
    for group, dest in registered:
        try:
            node = conf if group == "DEFAULT" else conf[group]
            got = {"value": plain(getattr(node, dest))}
        except Exception as e:
            got = {"error": "%s: %s" % (type(e).__name__, e)}
        out["groups"].setdefault(group, {})[dest] = got
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
