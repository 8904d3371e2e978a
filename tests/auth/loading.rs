//! Loading auth from a config group: every misconfiguration gets a clear
//! finding naming the group, the option, the plugin and the file.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::auth::{self, Interface, LoadedAuth, PluginRegistry};
use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::Registry;

fn load_in(reg: &Registry, name: &str, text: &str, group: &str) -> (Dir, Result<LoadedAuth, stackauth::LoadError>) {
    let d = Dir::new();
    let p = d.write(name, text);
    let r = auth::load_from_group(&Loader::new(reg).config_file(&p), &PluginRegistry::builtin(), group);
    (d, r)
}

fn load(text: &str) -> Result<LoadedAuth, stackauth::LoadError> {
    load_in(&Registry::new(), "svc.conf", text, "service_user").1
}

fn the_error(r: Result<LoadedAuth, stackauth::LoadError>) -> Diagnostic {
    let e = r.expect_err("an error");
    let errs: Vec<&Diagnostic> = e.errors().collect();
    assert_eq!(errs.len(), 1, "{e}");
    errs[0].clone()
}

const GOOD: &str = "auth_url = http://keystone:5000/v3\nusername = glance\npassword = GLANCE_PASS\n\
                    user_domain_name = Default\nproject_name = service\nproject_domain_name = Default\n";

#[test]
fn a_full_group_loads_with_session_and_adapter_settings() {
    let l = load(&format!(
        "[service_user]\nauth_type = password\n{GOOD}cafile = /etc/ssl/ca.pem\ntimeout = 30\n\
         valid_interfaces = internal,public\nregion_name = RegionOne\nconnect_retries = 3\n\
         retriable_status_codes = 503,502\n"
    ))
    .expect("loads");
    assert_eq!(l.plugin_name, "password");
    assert_eq!(l.plugin.auth_url(), Some("http://keystone:5000/v3"));
    assert_eq!(l.session.cafile.as_deref(), Some(std::path::Path::new("/etc/ssl/ca.pem")));
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_secs(30)));
    assert_eq!(l.adapter.interfaces, [Interface::Internal, Interface::Public]);
    assert_eq!(l.adapter.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(l.adapter.connect_retries, Some(3));
    assert_eq!(l.adapter.retriable_status_codes, [503, 502]);
    // Plugin options are typed and explained like any other option.
    let r = l.snapshot.get("service_user", "password").expect("registered");
    assert!(r.secret);
    assert_eq!(r.origin.location().map(|loc| loc.line), Some(5));
    assert!(!format!("{l:?}").contains("GLANCE_PASS"));
}

#[test]
fn the_seeds_keystoneclient_group_loads_with_its_old_names() {
    let reg = Registry::new();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/conf/keystoneclient.conf"))
        .expect("example");
    let (_d, r) = load_in(&reg, "keystoneclient.conf", &text, "keystoneclient");
    let l = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.plugin_name, "password");
    assert!(l.session.cafile.is_some(), "cacert is the deprecated name of cafile");
    let w: Vec<&str> =
        l.snapshot.warnings().iter().filter(|d| d.code == Code::DeprecatedName).map(|d| d.message.as_str()).collect();
    assert!(w.iter().any(|m| m.contains("\"auth_plugin\"") && m.contains("\"auth_type\"")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("\"cacert\"") && m.contains("\"cafile\"")), "{w:?}");
}

#[test]
fn missing_auth_type_is_an_error_not_nothing() {
    let d = the_error(load(&format!("[service_user]\n{GOOD}")));
    assert_eq!(d.code, Code::MissingAuthType);
    assert_eq!((d.group.as_deref(), d.option.as_deref()), (Some("service_user"), Some("auth_type")));
    assert!(d.suggestion.as_deref().is_some_and(|s| s.contains("v3password")), "{d}");
}

#[test]
fn unknown_auth_type_suggests_the_closest() {
    let d = the_error(load(&format!("[service_user]\nauth_type = pasword\n{GOOD}")));
    assert_eq!(d.code, Code::UnknownAuthType);
    assert_eq!(d.suggestion.as_deref(), Some("did you mean \"password\"?"));
    assert_eq!(d.origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(2));
}

#[test]
fn a_missing_required_option_names_group_option_plugin_and_file() {
    let d = the_error(load("[service_user]\nauth_type = v3password\nuser_id = u\npassword = p\n"));
    assert_eq!(d.code, Code::MissingRequired);
    assert_eq!((d.group.as_deref(), d.option.as_deref()), (Some("service_user"), Some("auth_url")));
    assert!(d.message.contains("v3password"), "{d}");
    assert!(d.suggestion.as_deref().is_some_and(|s| s.contains("svc.conf") && s.contains("[service_user]")), "{d}");
}

#[test]
fn names_without_domains_name_the_option_to_add() {
    let d = the_error(load(
        "[service_user]\nauth_type = v3password\nauth_url = http://k/v3\nusername = glance\npassword = p\n",
    ));
    assert_eq!((d.code, d.option.as_deref()), (Code::AuthOption, Some("username")));
    assert!(d.suggestion.as_deref().is_some_and(|s| s.contains("user_domain_name")), "{d}");
    assert_eq!(d.origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(4));
    let d = the_error(load(
        "[service_user]\nauth_type = v3password\nauth_url = http://k/v3\nuser_id = u\npassword = p\nproject_name = svc\n",
    ));
    assert_eq!(d.option.as_deref(), Some("project_name"));
    assert!(d.suggestion.as_deref().is_some_and(|s| s.contains("project_domain_name")), "{d}");
    // The generic plugin's default domain serves both.
    load("[service_user]\nauth_type = password\nauth_url = http://k\nusername = u\npassword = p\nproject_name = s\ndefault_domain_id = default\n")
        .expect("default domain");
}

#[test]
fn two_scopes_are_an_error() {
    let d = the_error(load(
        "[service_user]\nauth_type = v3password\nauth_url = http://k/v3\nuser_id = u\npassword = p\nproject_id = x\ndomain_id = y\n",
    ));
    assert_eq!(d.code, Code::AuthOption);
    assert!(d.message.contains("domain and project"), "{d}");
    let d = the_error(load(
        "[service_user]\nauth_type = v3password\nauth_url = http://k/v3\nuser_id = u\npassword = p\nsystem_scope = region\n",
    ));
    assert_eq!(d.option.as_deref(), Some("system_scope"));
}

#[test]
fn unknown_plugin_options_are_reported_with_did_you_mean() {
    let l = load(&format!("[service_user]\nauth_type = password\n{GOOD}project_domian_name = x\n")).expect("loads");
    let w: Vec<&Diagnostic> = l.snapshot.warnings().iter().filter(|d| d.code == Code::UnknownOption).collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].suggestion.as_deref(), Some("did you mean \"project_domain_name\"?"));
}

#[test]
fn auth_section_moves_the_plugin_one_level() {
    let l = load(&format!("[service_user]\nauth_section = creds\ntimeout = 5\n[creds]\nauth_type = password\n{GOOD}"))
        .expect("loads");
    assert_eq!((l.group.as_str(), l.auth_group.as_str()), ("service_user", "creds"));
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_secs(5)));

    let d = the_error(load("[service_user]\nauth_section = nowhere\n"));
    assert_eq!(d.code, Code::AuthSection);
    assert!(d.message.contains("[nowhere]"), "{d}");
    assert_eq!(d.origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(2));

    let d = the_error(load("[service_user]\nauth_section = a\n[a]\nauth_section = service_user\n"));
    assert!(d.message.contains("a loop"), "{d}");
    let d = the_error(load("[service_user]\nauth_section = a\n[a]\nauth_section = b\n[b]\n"));
    assert!(d.message.contains("a chain"), "{d}");
}

#[test]
fn adapter_options_that_exclude_each_other() {
    let base = format!("[service_user]\nauth_type = password\n{GOOD}");
    let d = the_error(load(&format!("{base}interface = public\nvalid_interfaces = internal\n")));
    assert_eq!((d.code, d.option.as_deref()), (Code::AdapterConflict, Some("valid_interfaces")));
    let d = the_error(load(&format!("{base}version = 3\nmin_version = 2\n")));
    assert!(d.message.contains("mutually exclusive"), "{d}");
    let d = the_error(load(&format!("{base}valid_interfaces = internalURL\n")));
    assert!(d.message.contains("\"internalURL\" is not a valid interface"), "{d}");
    // The deprecated `interface` alone still works.
    let l = load(&format!("{base}interface = admin\n")).expect("loads");
    assert_eq!(l.adapter.interfaces, [Interface::Admin]);
}

/// The deprecated `interface` is checked when the group loads, as
/// `valid_interfaces` is: it was dropped when the adapter was built, and
/// requests went to the public endpoint instead of failing.
#[test]
fn an_invalid_interface_is_an_error_when_the_group_loads() {
    let base = format!("[service_user]\nauth_type = password\n{GOOD}");
    let d = the_error(load(&format!("{base}interface = intenal\n")));
    assert_eq!((d.code, d.option.as_deref()), (Code::AdapterConflict, Some("interface")));
    assert!(d.message.contains("\"intenal\" is not a valid interface"), "{d}");
    // keystoneauth's v2 spellings of `interface` are still read.
    let l = load(&format!("{base}interface = internalURL\n")).expect("loads");
    assert_eq!(l.adapter.interfaces, [Interface::Internal]);
}

#[test]
fn a_legacy_keystone_authtoken_group_loads_as_v3password_with_one_warning() {
    let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/conf/glance-api.conf"))
        .expect("example");
    let (_d, r) = load_in(&reg, "glance-api.conf", &text, "keystone_authtoken");
    let l = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.plugin.auth_url(), Some("http://controller:35357"));
    let legacy: Vec<&Diagnostic> = l.snapshot.warnings().iter().filter(|d| d.code == Code::LegacyAuth).collect();
    assert_eq!(legacy.len(), 1);
    let s = legacy[0].suggestion.as_deref().unwrap_or("");
    assert!(
        s.contains("auth_type = password") && s.contains("username = glance") && s.contains("project_name = service"),
        "{s}"
    );
    assert!(!s.contains("GLANCE_PASS"), "{s}");
}

#[test]
fn a_modern_keystone_authtoken_group_loads() {
    let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/conf/keystone_authtoken-modern.conf"))
            .expect("example");
    let (_d, r) = load_in(&reg, "k.conf", &text, "keystone_authtoken");
    let l = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.plugin_name, "password");
    assert!(l.snapshot.warnings().iter().all(|d| d.code != Code::LegacyAuth));
}

#[test]
fn toml_groups_load_too() {
    let d = Dir::new();
    let p = d.write(
        "svc.toml",
        "[service_user]\nauth_type = \"v3applicationcredential\"\nauth_url = \"http://k/v3\"\n\
         application_credential_id = \"abc\"\napplication_credential_secret = \"s\"\ntimeout = 2.5\n",
    );
    let reg = Registry::new();
    let l = auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .expect("loads");
    assert_eq!(l.plugin_name, "v3applicationcredential");
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_millis(2500)));
}

#[test]
fn third_party_plugins_register_like_built_ins() {
    use stackauth::auth::{FixedAuth, PluginType};
    use stackauth::opt::Opt;
    let mut plugins = PluginRegistry::builtin();
    plugins
        .register(PluginType::new("my_none", "Mine.", vec![Opt::string("endpoint").required()], FixedAuth::none))
        .expect("registers");
    let dup = plugins.register(PluginType::new("password", "dup", vec![], FixedAuth::none)).expect_err("taken");
    assert_eq!(dup.name, "password");
    assert_eq!(dup.to_string(), "an auth plugin named \"password\" is already registered");
    let d = Dir::new();
    let p = d.write("a.conf", "[g]\nauth_type = my_none\n");
    let reg = Registry::new();
    let e = auth::load_from_group(&Loader::new(&reg).config_file(&p), &plugins, "g").expect_err("endpoint is required");
    assert!(e.to_string().contains("my_none"), "{e}");
    let p = d.write("b.conf", "[g]\nauth_type = my_none\nendpoint = http://x\n");
    let l = auth::load_from_group(&Loader::new(&reg).config_file(&p), &plugins, "g").expect("loads");
    assert_eq!(l.plugin.endpoint(), Some("http://x"));
}
