"""oslo-config-generator's own output for an opt-data file.

oslo-config-generator reads options from Python packages (namespaces); this
shim rebuilds the options an opt-data file (``oslo-config-generator --format
yaml|json`` output) describes as oslo.config objects, hands them to
oslo-config-generator's ``generate()`` in place of the namespaces'
loaders, and prints what it writes. Used by tests/tools/generate_parity.rs to
compare ``stackauth generate --opt-data FILE`` with the real formatter
byte for byte.

    python shim.py OPT_DATA [oslo-config-generator arguments...]
    python shim.py --real [oslo-config-generator arguments...]

e.g. ``--format rst``, ``--wrap-width 50``, ``--summarize``. ``--real`` runs
oslo-config-generator itself on installed namespaces, with stand-ins for
the Sphinx modules ``--format rst`` imports when Sphinx is not installed
(it formats with plain Python; see stub_sphinx). Runs with the
Python of the tests' Keystone venv (tests/keystone/setup.sh).

What opt-data cannot say, the shim has to choose: each option is built as
the ``cfg.*Opt`` class its type name stands for (``string value`` ->
``StrOpt``), since ``--format rst`` names types by the option's class.
"""

import collections
import json
import sys
import types as pytypes

import yaml

from oslo_config import cfg
from oslo_config import generator
from oslo_config import types

CLASSES = {
    'string value': cfg.StrOpt,
    'multi valued': cfg.MultiStrOpt,
    'boolean value': cfg.BoolOpt,
    'integer value': cfg.IntOpt,
    'floating point value': cfg.FloatOpt,
    'port value': cfg.PortOpt,
    'list value': cfg.ListOpt,
    'dict value': cfg.DictOpt,
    'IP address value': cfg.IPOpt,
    'host address value': cfg.HostAddressOpt,
    'host domain value': cfg.HostDomainOpt,
    'hostname value': cfg.HostnameOpt,
    'uri value': cfg.URIOpt,
}
WITH_CHOICES = (cfg.StrOpt, cfg.IntOpt, cfg.PortOpt)
WITH_BOUNDS = (cfg.IntOpt, cfg.FloatOpt, cfg.PortOpt)


def make_opt(e):
    cls = CLASSES[e['type']]
    kwargs = dict(
        dest=e.get('dest'),
        help=e.get('help') or None,
        secret=bool(e.get('secret')),
        required=bool(e.get('required')),
        mutable=bool(e.get('mutable')),
        advanced=bool(e.get('advanced')),
        sample_default=e.get('sample_default'),
        deprecated_for_removal=bool(e.get('deprecated_for_removal')),
        deprecated_reason=e.get('deprecated_reason'),
        deprecated_since=e.get('deprecated_since'),
        deprecated_opts=[
            cfg.DeprecatedOpt(d.get('name'), group=d.get('group'))
            for d in e.get('deprecated_opts') or []
        ],
    )
    if issubclass(cls, WITH_CHOICES) and e.get('choices'):
        kwargs['choices'] = [tuple(c) for c in e['choices']]
    if issubclass(cls, WITH_BOUNDS):
        kwargs['min'] = e.get('min')
        kwargs['max'] = e.get('max')
    opt = cls(e['name'], **kwargs)
    # The default as the file gives it, unchecked: a default computed where
    # the opt-data was made need not suit this machine's checks.
    opt.default = e.get('default')
    return opt


def namespace_order(data):
    """The namespaces in the order oslo-config-generator loaded them.

    The file keeps each group's options in that order (stevedore's, not
    the order of the --namespace arguments); the order that agrees with
    every group is recovered from them (a topological sort, ties by first
    appearance)."""
    first, after = [], collections.defaultdict(set)
    for g in data['options'].values():
        seq = []
        for e in g.get('opts') or []:
            ns = e.get('namespace')
            if ns not in first:
                first.append(ns)
            if not seq or seq[-1] != ns:
                seq.append(ns)
        for a, b in zip(seq, seq[1:]):
            after[b].add(a)
    order = []
    while len(order) < len(first):
        ready = [ns for ns in first if ns not in order and after[ns] <= set(order)]
        if not ready:
            sys.exit('shim: the groups disagree on the order of namespaces')
        order.append(ready[0])
    return order


def listing(data):
    """_list_opts's answer: [(namespace, [(group, [opts])])]."""
    by_ns = collections.OrderedDict((ns, collections.OrderedDict()) for ns in namespace_order(data))
    for gname, g in data['options'].items():
        group = cfg.OptGroup(gname, help=g.get('help') or None)
        for e in g.get('opts') or []:
            groups = by_ns[e.get('namespace')]
            groups.setdefault(gname, (group, []))[1].append(make_opt(e))
    return [(ns, list(groups.values())) for ns, groups in by_ns.items()]


def stub_sphinx():
    """oslo_config.sphinxext imports Sphinx and docutils at module level but
    formats --format rst with plain Python; stand-ins let it import where
    Sphinx is not installed (the Keystone venv)."""

    class Stub(pytypes.ModuleType):
        def __getattr__(self, name):
            if name.startswith('__'):
                raise AttributeError(name)
            value = type(name, (), {
                '__init__': lambda self, *args, **kwargs: None,
                '__class_getitem__': classmethod(lambda cls, item: cls),
            })
            setattr(self, name, value)
            return value

    for name in [
        'docutils', 'docutils.nodes', 'docutils.parsers', 'docutils.parsers.rst',
        'docutils.parsers.rst.directives', 'docutils.statemachine', 'sphinx',
        'sphinx.addnodes', 'sphinx.application', 'sphinx.builders',
        'sphinx.directives', 'sphinx.domains', 'sphinx.environment',
        'sphinx.roles', 'sphinx.util', 'sphinx.util.logging', 'sphinx.util.nodes',
    ]:
        if name not in sys.modules:
            sys.modules[name] = Stub(name)
    for name, module in list(sys.modules.items()):
        if isinstance(module, Stub) and '.' in name:
            parent, _, child = name.rpartition('.')
            setattr(sys.modules[parent], child, module)
    sys.modules['sphinx.util.logging'].getLogger = lambda name: __import__('logging').getLogger(name)


def main():
    if sys.argv[1] == '--real':
        # The real generator on the installed namespaces; only the Sphinx
        # imports of --format rst are stood in for.
        args = sys.argv[2:]
        if 'rst' in args:
            try:
                import sphinx  # noqa: F401
            except ImportError:
                stub_sphinx()
        generator.main(args)
        return
    path, args = sys.argv[1], sys.argv[2:]
    with open(path, encoding='utf-8') as f:
        text = f.read()
    data = json.loads(text) if text.lstrip().startswith('{') else yaml.safe_load(text)
    opts = listing(data)
    generator._list_opts = lambda namespaces: opts
    if '--format' in args and args[args.index('--format') + 1] == 'rst':
        try:
            import sphinx  # noqa: F401
        except ImportError:
            stub_sphinx()
    conf = cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(['--namespace', 'opt-data'] + args)
    generator.generate(conf, output_file=sys.stdout)


if __name__ == '__main__':
    main()
