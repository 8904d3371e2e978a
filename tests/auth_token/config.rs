//! `[keystone_authtoken]` read into the layer's settings: keystonemiddleware's
//! option names (and deprecated ones), defaults, and clear errors for what
//! the layer cannot do.

use crate::common;

use std::time::Duration;

use stackauth::Loader;
use stackauth::auth::{Interface, PluginRegistry};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, BindMode, Protection};
use stackauth::namespace;

fn registry() -> stackauth::opt::Registry {
    namespace::by_name("keystonemiddleware.auth_token").expect("namespace")
}

#[test]
fn options_and_deprecated_names_are_read() {
    let dir = common::Dir::new();
    let conf = dir.write(
        "glance-api.conf",
        "[keystone_authtoken]\n\
         auth_uri = https://keystone.example/v3\n\
         delay_auth_decision = true\n\
         include_service_catalog = false\n\
         interface = public\n\
         region_name = RegionTwo\n\
         token_cache_time = 60\n\
         enforce_token_bind = kerberos\n\
         service_token_roles = service, nova-service\n\
         service_token_roles_required = false\n\
         service_type = image\n\
         memcache_servers = 10.0.0.1:11211, cache2\n\
         memcache_security_strategy = encrypt\n\
         memcache_secret_key = k3y\n\
         memcache_pool_socket_timeout = 1\n\
         memcache_pool_dead_retry = 30\n\
         http_request_max_retries = 5\n",
    );
    let reg = registry();
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let c = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect("config");
    assert_eq!(c.www_authenticate_uri.as_deref(), Some("https://keystone.example/v3"), "auth_uri is the old name");
    assert!(c.delay_auth_decision);
    assert!(!c.include_service_catalog);
    assert_eq!(c.interface, Interface::Public);
    assert_eq!(c.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(c.token_cache_time, Duration::from_secs(60));
    assert_eq!(c.enforce_token_bind, BindMode::Named("kerberos".into()));
    assert_eq!(c.service_token_roles, vec!["service", "nova-service"]);
    assert!(!c.service_token_roles_required);
    assert_eq!(c.service_type.as_deref(), Some("image"));
    assert_eq!(c.http_request_max_retries, 5);
    let m = c.memcache.expect("memcache_servers is the old name of memcached_servers");
    assert_eq!(m.servers, vec!["10.0.0.1:11211", "cache2"]);
    let (p, key) = m.protection.expect("protection");
    assert_eq!(p, Protection::Encrypt, "case-insensitive, as keystonemiddleware");
    assert_eq!(key.expose(), "k3y");
    assert_eq!(m.socket_timeout, Duration::from_secs(1));
    assert_eq!(m.dead_retry, Duration::from_secs(30));
    assert!(
        !format!("{:?}", {
            let mut built = AuthTokenConfig::default();
            built.memcache = None;
            built
        })
        .is_empty()
    );
}

#[test]
fn defaults_are_keystonemiddleware_s() {
    let dir = common::Dir::new();
    let conf = dir.write("a.conf", "[keystone_authtoken]\n");
    let reg = registry();
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let c = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect("config");
    assert_eq!(c, AuthTokenConfig::default());
    assert_eq!(c.interface, Interface::Internal);
    assert_eq!(c.token_cache_time, Duration::from_secs(300));
    assert_eq!(c.enforce_token_bind, BindMode::Permissive);
    assert_eq!(c.service_token_roles, vec!["service"]);
    // -1 disables the cache, as in keystonemiddleware.
    let conf = dir.write("b.conf", "[keystone_authtoken]\ntoken_cache_time = -1\n");
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let c = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect("config");
    assert_eq!(c.token_cache_time, Duration::ZERO);
}

#[test]
fn unusable_settings_are_errors_with_the_file_and_line() {
    let dir = common::Dir::new();
    let reg = registry();
    let cases = [
        (
            "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_security_strategy = MAC\n",
            "s.conf:3",
            "memcache_security_strategy is MAC but memcache_secret_key is not set",
        ),
        (
            "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_tls_enabled = true\n\
             memcache_tls_allowed_ciphers = HIGH:!aNULL\n",
            "s.conf:4",
            "memcache_tls_allowed_ciphers is an OpenSSL cipher list",
        ),
        (
            "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_tls_enabled = true\n\
             memcache_tls_keyfile = /k.pem\n",
            "s.conf:4",
            "memcache_tls_keyfile is set without memcache_tls_certfile",
        ),
        (
            "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_sasl_enabled = true\n",
            "s.conf:3",
            "memcached SASL is not supported",
        ),
        ("[keystone_authtoken]\ninterface = sideways\n", "s.conf:2", "interface \"sideways\" is not an interface"),
    ];
    for (text, at, message) in cases {
        let conf = dir.write("s.conf", text);
        let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
        let err = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect_err(message);
        let shown = err.to_string();
        assert!(shown.contains(message), "{shown}");
        assert!(shown.contains(at), "{shown}");
        assert!(shown.contains("auth-token"), "{shown}");
    }
    // The key never shows in an error.
    let conf = dir.write(
        "s.conf",
        "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_secret_key = hunter2\nmemcache_sasl_enabled = true\n",
    );
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let err = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect_err("sasl");
    assert!(!format!("{err} {err:?}").contains("hunter2"));
}

#[test]
fn from_loader_builds_the_layer_from_a_modern_or_legacy_group() {
    stackauth::auth::transport::install_crypto_provider();
    let dir = common::Dir::new();
    let reg = registry();
    let modern = dir.write(
        "modern.conf",
        "[keystone_authtoken]\nauth_type = password\nauth_url = http://127.0.0.1:1/v3\nusername = glance\n\
         password = p\nproject_name = service\nuser_domain_name = Default\nproject_domain_name = Default\n",
    );
    let (layer, _session) =
        AuthTokenLayer::from_loader(&Loader::new(&reg).config_file(&modern), &PluginRegistry::builtin())
            .expect("layer");
    assert_eq!(layer.config().www_authenticate_uri, None, "not configured: the plugin's auth_url is used");
    let legacy = dir.write(
        "legacy.conf",
        "[keystone_authtoken]\nauth_host = 127.0.0.1\nauth_port = 35357\nauth_protocol = http\n\
         admin_user = glance\nadmin_password = p\nadmin_tenant_name = service\n",
    );
    AuthTokenLayer::from_loader(&Loader::new(&reg).config_file(&legacy), &PluginRegistry::builtin())
        .expect("legacy admin_* group");
    let broken = dir.write("broken.conf", "[keystone_authtoken]\nauth_type = pasword\n");
    let err = AuthTokenLayer::from_loader(&Loader::new(&reg).config_file(&broken), &PluginRegistry::builtin())
        .expect_err("unknown plugin");
    assert!(err.to_string().contains("did you mean \"password\""), "{err}");
}

#[test]
fn pool_and_tls_options_are_read_and_meaningless_ones_warned_about_where_set() {
    let dir = common::Dir::new();
    let reg = registry();
    let conf = dir.write(
        "p.conf",
        "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\nmemcache_pool_maxsize = 3\n\
         memcache_pool_unused_timeout = 7\nmemcache_pool_conn_get_timeout = 2\nmemcache_use_advanced_pool = false\n\
         cache = swift.cache\nmemcache_tls_enabled = true\nmemcache_tls_cafile = /etc/ca.pem\n\
         memcache_tls_certfile = /etc/client.pem\n",
    );
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let c = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect("config");
    let m = c.memcache.clone().expect("memcache");
    assert_eq!(m.max_connections, 3);
    assert_eq!(m.unused_timeout, Duration::from_secs(7));
    assert_eq!(m.conn_get_timeout, Duration::from_secs(2));
    let tls = m.tls.expect("tls on");
    assert_eq!(tls.cafile.as_deref(), Some(std::path::Path::new("/etc/ca.pem")));
    assert_eq!(tls.certfile.as_deref(), Some(std::path::Path::new("/etc/client.pem")));
    assert_eq!(tls.keyfile, None, "the key is in the certificate file");
    let w: Vec<String> = c.warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("p.conf:6") && w[0].contains("memcache_use_advanced_pool has no effect"), "{w:?}");
    assert!(w[1].contains("p.conf:7") && w[1].contains("cache has no effect"), "{w:?}");
    // Left at their defaults, nothing to say; TLS off without the flag.
    let conf = dir.write("q.conf", "[keystone_authtoken]\nmemcached_servers = 127.0.0.1:11211\n");
    let snap = Loader::new(&reg).config_file(&conf).load().expect("loads");
    let c = AuthTokenConfig::from_snapshot(&snap, "keystone_authtoken").expect("config");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let m = c.memcache.expect("memcache");
    assert_eq!(
        (m.max_connections, m.unused_timeout, m.conn_get_timeout),
        (10, Duration::from_secs(60), Duration::from_secs(10))
    );
    assert!(m.tls.is_none());
}
