"""Every key openstacksdk's schemas give a cloud (schema.json's
$defs/cloud and vendor-schema.json's profile), with a sample value of its
type, as one JSON object."""
import json
import os

import openstack.config

here = os.path.dirname(openstack.config.__file__)
with open(os.path.join(here, 'schema.json')) as f:
    cloud = json.load(f)['$defs']['cloud']['properties']
with open(os.path.join(here, 'vendor-schema.json')) as f:
    profile = json.load(f)['properties']['profile']['properties']

SAMPLES = {'integer': 1, 'number': 1.5, 'boolean': True, 'string': 'x', 'object': {}, 'array': []}
out = {}
for key, spec in {**cloud, **profile}.items():
    if 'enum' in spec:
        out[key] = spec['enum'][0]
        continue
    types = spec.get('type') or ['object']
    types = [types] if isinstance(types, str) else types
    out[key] = SAMPLES[types[0]]
print(json.dumps(out, sort_keys=True))
