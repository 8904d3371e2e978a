//! A snapshot as a config-rs source (feature `config-rs`), with
//! config-rs's own builder over real files: what stackauth resolved
//! (deprecated names, interpolation, types, defaults) under the
//! application's own sources, origins in config-rs's errors.

use serde::Deserialize;
use stackauth::Loader;
use stackauth::opt::{DeprecatedName, Opt, OptType, Registry, Secret};

use crate::common::Dir;

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register_opts(
        "service_user",
        [
            Opt::new("auth_url", OptType::uri()),
            Opt::string("username").deprecated_name(DeprecatedName::name("user_name")),
            Opt::string("password").secret(),
            Opt::new("timeout", OptType::integer()).default("30"),
            Opt::new("insecure", OptType::boolean()).default("false"),
            Opt::new("interfaces", OptType::list()).default("internal,public"),
            Opt::string("region_name"),
        ],
    )
    .expect("register");
    r
}

#[derive(Debug, Deserialize)]
struct ServiceUser {
    auth_url: String,
    username: String,
    password: Secret,
    timeout: u32,
    insecure: bool,
    interfaces: Vec<String>,
    region_name: Option<String>,
}

#[test]
fn a_snapshot_layers_under_config_rs_sources_with_types_and_deprecations_resolved() {
    let dir = Dir::new();
    let main = dir.write(
        "app.conf",
        "[service_user]\nauth_url = http://$host:5000/v3\nhost = ignored\nuser_name = svc\npassword = s3cret\n",
    );
    let extra = dir.write("app.conf.d/10-timeout.conf", "[service_user]\ntimeout = 45\n[DEFAULT]\n");
    let mut reg = registry();
    reg.register_opt("service_user", Opt::string("host")).expect("host");
    let snapshot = Loader::new(&reg).config_file(&main).config_dir(extra.parent().expect("dir")).load().expect("loads");

    let env = config::Map::from_iter([("APP__SERVICE_USER__INSECURE".to_owned(), "true".to_owned())]);
    let config = config::Config::builder()
        .add_source(snapshot)
        .add_source(config::Environment::with_prefix("APP").prefix_separator("__").separator("__").source(Some(env)))
        .build()
        .expect("builds");

    let su: ServiceUser = config.get("service_user").expect("deserializes");
    assert_eq!(su.auth_url, "http://ignored:5000/v3", "interpolated by stackauth");
    assert_eq!(su.username, "svc", "deprecated name user_name resolved");
    assert_eq!(su.password.expose(), "s3cret");
    assert!(!format!("{su:?}").contains("s3cret"), "the secret stays masked in Debug: {su:?}");
    assert_eq!(su.timeout, 45, "the config dir's value, typed");
    assert!(su.insecure, "config-rs's own source on top");
    assert_eq!(su.interfaces, ["internal", "public"], "a list default, typed");
    assert_eq!(su.region_name, None, "an unset option is left out");
}

#[test]
fn config_rs_errors_name_the_origin_stackauth_recorded() {
    let dir = Dir::new();
    let main = dir.write("app.conf", "[service_user]\nauth_url = http://keystone:5000/v3\n");
    let snapshot = Loader::new(&registry()).config_file(&main).load().expect("loads");
    let config = config::Config::builder().add_source(snapshot).build().expect("builds");
    let err = config.get::<u32>("service_user.auth_url").expect_err("a URL is no integer");
    let text = err.to_string();
    assert!(text.contains("app.conf:2:"), "the file and line of the value: {text}");
    assert!(text.contains("service_user.auth_url"), "the key: {text}");
}
