"""The Python counterpart of examples/identity_daemon.rs, for the memory
comparison: oslo.config reads the same config file, keystoneauth1 loads the
auth plugin, session and adapter from [service_user], and every listing
asks the identity service found in the token's catalog for projects and
users, then prints one line of JSON.

    python bench/python/identity_daemon.py --config-file daemon.conf --count 5000 --interval 0
"""

import argparse
import json
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg


def names(body, key):
    return [x["name"] for x in body.get(key, []) if "name" in x]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config-file", action="append", default=[])
    p.add_argument("--group", default="service_user")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=30)
    args = p.parse_args()

    conf = cfg.ConfigOpts()
    ks_loading.register_auth_conf_options(conf, args.group)
    ks_loading.register_session_conf_options(conf, args.group)
    ks_loading.register_adapter_conf_options(conf, args.group)
    conf(args=[], project="identity_daemon",
         default_config_files=args.config_file, default_config_dirs=[])
    auth = ks_loading.load_auth_from_conf_options(conf, args.group)
    session = ks_loading.load_session_from_conf_options(conf, args.group, auth=auth)
    # The identity API's own URL comes from the catalog, never from config.
    identity = ks_loading.load_adapter_from_conf_options(
        conf, args.group, session=session, service_type="identity",
        interface=["internal", "public"])

    for i in range(args.count):
        projects = identity.get("/auth/projects").json()
        try:
            users = names(identity.get("/users").json(), "users")
        except ks_exc.Forbidden:
            users = None
        print(json.dumps({
            "endpoint": identity.get_endpoint(),
            "projects": names(projects, "projects"),
            "users": users,
            "token_audit_id": auth.get_access(session).audit_id,
        }))
        if i + 1 < args.count:
            time.sleep(args.interval)


if __name__ == "__main__":
    main()
