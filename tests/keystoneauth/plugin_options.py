"""Every keystoneauth1 plugin's loading options, as JSON, for
tests/auth/plugin_schemas.rs.

    python plugin_options.py

Prints {"available": [names], "plugins": {name: [option, ...] | {"error": why}}}
for every name of the ``keystoneauth1.plugin`` entry points: those
``loading.get_available_plugin_names()`` lists, and those whose extra
dependencies are missing here (their loader may still give its options, or
fail to import). Each option is ``loading.get_plugin_options(name)``'s, as
keystoneauth's ``Opt``: name, dest, type, help, secret, required, default,
deprecated names.
"""

import importlib.metadata
import json

from keystoneauth1 import loading

TYPES = {str: 'str', int: 'int', float: 'float', bool: 'bool'}


def option(o):
    return {
        'name': o.name,
        'dest': o.dest,
        'type': TYPES.get(o.type, repr(o.type)),
        'help': o.help,
        'secret': bool(o.secret),
        'required': bool(o.required),
        'default': o.default,
        'deprecated': [d.name for d in o.deprecated],
    }


def main():
    names = sorted({ep.name for ep in importlib.metadata.entry_points(group='keystoneauth1.plugin')})
    plugins = {}
    for name in names:
        try:
            plugins[name] = [option(o) for o in loading.get_plugin_options(name)]
        except Exception as e:  # noqa: BLE001 - a loader whose extras are missing
            plugins[name] = {'error': f'{type(e).__name__}: {e}'}
    print(json.dumps({'available': sorted(loading.get_available_plugin_names()), 'plugins': plugins}, indent=1))


if __name__ == '__main__':
    main()
