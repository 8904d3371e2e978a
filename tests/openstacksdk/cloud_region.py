"""What openstacksdk makes of a clouds.yaml: for each case (JSON on stdin:
cloud, region, env), the plugin, region and per-service settings of
OpenStackConfig().get_one(). Prints one JSON list."""
import json
import os
import sys
import warnings

warnings.simplefilter('ignore')
from openstack.config import loader  # noqa: E402

SERVICES = ['image', 'volume', 'block-storage', 'compute', 'network', 'object-store', 'dns']


# Deliberate difference: stackauth gives no service a default API version
# (openstacksdk's defaults.json has network 2, object-store 1), so that an
# adapter does no version discovery unless asked.
_get_defaults = loader.defaults.get_defaults


def _defaults():
    d = _get_defaults()
    for k in ('network_api_version', 'object_store_api_version'):
        d.pop(k, None)
    return d


loader.defaults.get_defaults = _defaults


def version(v):
    if v is None:
        return None
    return v if '.' in v else v + '.0'


def one(case):
    for k in [k for k in os.environ if k.startswith('OS_')]:
        del os.environ[k]
    os.environ.update(case['env'])
    try:
        c = loader.OpenStackConfig().get_one(case['cloud'], region_name=case.get('region'))
    except Exception as e:  # the comparison is about whether both refuse
        return {'error': type(e).__name__}
    out = {
        'auth_type': c.config['auth_type'],
        'region_name': c.config['region_name'] or None,
        'auth': {k: str(v) for k, v in c.config['auth'].items() if k in ('auth_url', 'project_name', 'endpoint')},
        'services': {},
    }
    for st in SERVICES:
        i = c.get_interface(st)
        out['services'][st] = {
            'service_type': c.get_service_type(st),
            'service_name': c.get_service_name(st),
            'interface': ','.join(i) if isinstance(i, list) else i,
            'region_name': c.get_region_name(st) or None,
            'endpoint_override': c.get_endpoint(st),
            'api_version': version(c.get_api_version(st)),
            'rate_limit': None if c.get_rate_limit(st) is None else float(c.get_rate_limit(st)),
            'concurrency': None if c.get_concurrency(st) is None else int(c.get_concurrency(st)),
        }
    return out


print(json.dumps([one(case) for case in json.load(sys.stdin)]))
