"""Writes bench/data/keystone.conf: oslo-config-generator's sample for
Keystone's namespaces (every option, commented out, as distributions ship
keystone.conf) with a production-like set of options uncommented and set.

    target/bench-venv/bin/oslo-config-generator $NS --output-file /tmp/sample
    target/bench-venv/bin/python bench/python/make_config.py /tmp/sample bench/data/keystone.conf

$NS is the namespace list of tests/data/optdata/README.md. The config-dir
files in bench/data/keystone.conf.d are written by hand.
"""

import re
import sys

# (group, option) -> value; a list is a multi-valued option, one line each.
SETTINGS = {
    ("DEFAULT", "public_endpoint"): "https://keystone.example.com:5000",
    ("DEFAULT", "max_project_tree_depth"): "5",
    ("DEFAULT", "list_limit"): "500",
    ("DEFAULT", "strict_password_check"): "true",
    ("DEFAULT", "notification_format"): "cadf",
    ("DEFAULT", "notification_opt_out"): [
        "identity.authenticate.success",
        "identity.authenticate.pending",
    ],
    ("DEFAULT", "rpc_response_timeout"): "120",
    ("DEFAULT", "executor_thread_pool_size"): "64",
    ("DEFAULT", "control_exchange"): "keystone",
    ("DEFAULT", "log_dir"): "/var/log/keystone",
    ("DEFAULT", "log_file"): "$log_dir/keystone.log",
    ("DEFAULT", "use_stderr"): "false",
    ("DEFAULT", "instance_format"): '"[instance: %(uuid)s] "',
    ("application_credential", "user_limit"): "20",
    ("assignment", "prohibited_implied_role"): "admin,manager",
    ("auth", "methods"): "external,password,token,oauth1,mapped,application_credential",
    ("cache", "enabled"): "true",
    ("cache", "backend"): "dogpile.cache.pymemcache",
    ("cache", "memcache_servers"): "cache1.example.com:11211,cache2.example.com:11211",
    ("cache", "expiration_time"): "600",
    ("cache", "memcache_dead_retry"): "60",
    ("cache", "memcache_pool_maxsize"): "20",
    ("cache", "socket_timeout"): "3.0",
    ("catalog", "caching"): "true",
    ("catalog", "cache_time"): "300",
    ("cors", "allowed_origin"): "https://dashboard.example.com",
    ("cors", "allow_credentials"): "true",
    ("credential", "provider"): "fernet",
    ("credential", "key_repository"): "/etc/keystone/credential-keys/",
    ("database", "connection_recycle_time"): "600",
    ("database", "max_pool_size"): "10",
    ("database", "max_retries"): "-1",
    ("database", "max_overflow"): "50",
    ("database", "pool_timeout"): "30",
    ("federation", "trusted_dashboard"): [
        "https://dashboard.example.com/auth/websso/",
        "https://dashboard2.example.com/auth/websso/",
    ],
    ("federation", "sso_callback_template"): "/etc/keystone/sso_callback_template.html",
    ("fernet_tokens", "key_repository"): "/etc/keystone/fernet-keys/",
    ("fernet_tokens", "max_active_keys"): "5",
    ("identity", "domain_specific_drivers_enabled"): "true",
    ("identity", "domain_config_dir"): "/etc/keystone/domains",
    ("identity", "password_hash_algorithm"): "bcrypt",
    ("identity", "password_hash_rounds"): "12",
    ("identity", "max_password_length"): "128",
    ("keystone_authtoken", "www_authenticate_uri"): "https://keystone.example.com:5000",
    ("keystone_authtoken", "interface"): "internal",
    ("keystone_authtoken", "region_name"): "RegionOne",
    ("keystone_authtoken", "memcached_servers"): "cache1.example.com:11211,cache2.example.com:11211",
    ("keystone_authtoken", "token_cache_time"): "600",
    ("keystone_authtoken", "service_token_roles_required"): "true",
    # The plugin's options are not in the sample (keystonemiddleware
    # registers them once it knows auth_type): written after it.
    ("keystone_authtoken", "auth_type"): "\n".join([
        "password",
        "auth_url = https://keystone.example.com:5000/v3",
        "username = keystone",
        "password = changeme",
        "project_name = service",
        "user_domain_name = Default",
        "project_domain_name = Default",
    ]),
    ("oslo_messaging_notifications", "driver"): "messagingv2",
    ("oslo_messaging_notifications", "topics"): "notifications",
    ("oslo_messaging_rabbit", "amqp_durable_queues"): "true",
    ("oslo_messaging_rabbit", "rabbit_quorum_queue"): "true",
    ("oslo_messaging_rabbit", "heartbeat_timeout_threshold"): "30",
    ("oslo_messaging_rabbit", "heartbeat_rate"): "2",
    ("oslo_messaging_rabbit", "kombu_reconnect_delay"): "0.5",
    ("oslo_messaging_rabbit", "rabbit_retry_interval"): "2",
    ("oslo_middleware", "enable_proxy_headers_parsing"): "true",
    ("oslo_middleware_tracing", "service_name"): "keystone",
    ("oslo_policy", "enforce_new_defaults"): "true",
    ("oslo_policy", "policy_file"): "/etc/keystone/policy.yaml",
    ("resource", "admin_project_domain_name"): "Default",
    ("resource", "admin_project_name"): "admin",
    ("resource", "caching"): "true",
    ("revoke", "expiration_buffer"): "1800",
    ("security_compliance", "lockout_failure_attempts"): "6",
    ("security_compliance", "lockout_duration"): "1800",
    ("security_compliance", "password_expires_days"): "90",
    ("security_compliance", "unique_last_password_count"): "5",
    ("security_compliance", "minimum_password_age"): "1",
    ("security_compliance", "password_regex"): r"^(?=.*\d)(?=.*[a-zA-Z]).{12,}$",
    ("security_compliance", "password_regex_description"):
        "Passwords must have at least 12 characters, a letter and a digit",
    ("security_compliance", "change_password_upon_first_use"): "true",
    ("token", "expiration"): "7200",
    ("token", "provider"): "fernet",
    ("token", "cache_time"): "600",
    ("trust", "allow_redelegation"): "true",
    ("trust", "max_redelegation_count"): "3",
    ("unified_limit", "enforcement_model"): "strict_two_level",
    ("wsgi", "debug_middleware"): "false",
}


def main(sample_path, out_path):
    lines = open(sample_path, encoding="utf-8").read().split("\n")
    group, out, done = None, [], set()
    for line in lines:
        m = re.match(r"^\[([^\]]+)\]$", line)
        if m:
            group = m.group(1)
        m = re.match(r"^#([A-Za-z0-9_-]+) =( |$)", line)
        key = (group, m.group(1).replace("-", "_")) if m else None
        if key in SETTINGS and key not in done:
            value = SETTINGS[key]
            for v in value if isinstance(value, list) else [value]:
                out.append(f"{m.group(1)} = {v}")
            done.add(key)
        else:
            out.append(line)
    missing = sorted(set(SETTINGS) - done)
    if missing:
        sys.exit(f"not in the sample: {missing}")
    open(out_path, "w", encoding="utf-8").write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
