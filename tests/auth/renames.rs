//! An application that used its own option names (`admin_user` in
//! `[myapp]`) maps them onto keystoneauth's when it registers its auth
//! group: the old names load, are typed and checked as the plugin's
//! options, and are reported as deprecated, by load and by validate.

use crate::common;

use common::Dir;
use stackauth::Loader;
use stackauth::auth::{self, PluginRegistry};
use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::{DeprecatedName, Opt, Registry, RegistryError};
use stackauth::tools::validate::{ValidateOptions, validate};

const SECRET: &str = "Gl4nce-old-name-pw";

fn registry() -> Registry {
    let mut reg = Registry::new();
    reg.register_opt("myapp", Opt::string("workers")).expect("register");
    auth::register_conf_options(
        &mut reg,
        "myapp",
        &[
            ("username", DeprecatedName::name("admin_user")),
            ("password", DeprecatedName::name("admin_password")),
            ("project_name", DeprecatedName::name("admin_tenant_name")),
            ("auth_url", DeprecatedName::name_in_group("identity_uri", "keystone_authtoken")),
            ("timeout", DeprecatedName::name("http_timeout")),
        ],
    )
    .expect("register");
    reg
}

const OLD: &str = "[myapp]\n\
                   auth_type = password\n\
                   admin_user = glance\n\
                   admin_password = Gl4nce-old-name-pw\n\
                   user_domain_name = Default\n\
                   admin_tenant_name = service\n\
                   project_domain_name = Default\n\
                   http_timeout = 12\n\
                   [keystone_authtoken]\n\
                   identity_uri = http://keystone:5000/v3\n";

fn deprecated(ds: &[Diagnostic]) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = ds
        .iter()
        .filter(|d| d.code == Code::DeprecatedName)
        .map(|d| (d.message.clone(), d.origin.as_ref().and_then(|o| o.location()).map_or(0, |l| l.line)))
        .collect();
    v.sort_by_key(|(_, line)| *line);
    v
}

#[test]
fn old_names_load_into_the_plugins_options_with_deprecation_findings() {
    let reg = registry();
    let d = Dir::new();
    let p = d.write("myapp.conf", OLD);
    let l =
        auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "myapp").expect("loads");
    assert_eq!(l.plugin_name, "password");
    assert_eq!(l.plugin.auth_url(), Some("http://keystone:5000/v3"));
    assert_eq!(l.snapshot.value("myapp", "username").and_then(|v| v.as_str()), Some("glance"));
    assert_eq!(l.snapshot.value("myapp", "project_name").and_then(|v| v.as_str()), Some("service"));
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_secs(12)));
    let pw = l.snapshot.get("myapp", "password").expect("set");
    assert!(pw.secret, "the old name is read as the secret option it now is");
    assert_eq!(pw.origin.location().map(|l| l.line), Some(4));

    let found = deprecated(l.snapshot.warnings());
    let lines: Vec<u32> = found.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, [3, 4, 6, 8, 10], "{found:?}");
    assert!(found[0].0.contains("\"admin_user\"") && found[0].0.contains("Use option \"username\""), "{found:?}");
    assert!(found[4].0.contains("\"keystone_authtoken\"") && found[4].0.contains("\"auth_url\""), "{found:?}");
    let all = format!("{:?} {:?}", l.snapshot.warnings(), l);
    assert!(!all.contains(SECRET), "{all}");
}

#[test]
fn validate_types_checks_and_reports_old_names() {
    let reg = registry();
    let d = Dir::new();
    // An old name with a bad value, a current name that shadows an old one,
    // and no auth_url at all.
    let p = d.write(
        "myapp.conf",
        "[myapp]\nauth_type = v3password\nadmin_user = glance\nusername = glance2\n\
         admin_password = Gl4nce-old-name-pw\nuser_domain_name = Default\nhttp_timeout = soon\n",
    );
    let report = validate(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), &ValidateOptions::default());
    let by = |code: Code| report.findings.iter().filter(move |d| d.code == code).collect::<Vec<_>>();

    let bad = by(Code::InvalidValue);
    assert_eq!(bad.len(), 1, "{:#?}", report.findings);
    assert_eq!(bad[0].option.as_deref(), Some("timeout"));
    assert_eq!(bad[0].origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(7));
    assert!(bad[0].message.contains("soon"), "{}", bad[0]);

    let shadowed = by(Code::ShadowedDeprecatedName);
    assert_eq!(shadowed.len(), 1, "{:#?}", report.findings);
    assert_eq!(shadowed[0].origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(3));

    let missing = by(Code::MissingRequired);
    assert_eq!(missing.len(), 1, "{:#?}", report.findings);
    assert_eq!(missing[0].option.as_deref(), Some("auth_url"));
    assert!(missing[0].message.contains("v3password auth plugin needs this option"), "{}", missing[0]);

    let lines: Vec<u32> = deprecated(&report.findings).iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, [3, 5, 7], "{:#?}", report.findings);
    assert!(report.findings.iter().all(|d| !d.to_string().contains(SECRET)));
    assert_eq!(report.exit_code(false), 1);
}

#[test]
fn a_clean_file_with_old_names_validates_with_warnings_only() {
    let reg = registry();
    let d = Dir::new();
    let p = d.write("myapp.conf", OLD);
    let report = validate(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), &ValidateOptions::default());
    assert_eq!(report.errors(), 0, "{:#?}", report.findings);
    assert_eq!(deprecated(&report.findings).len(), 5, "{:#?}", report.findings);
    assert_eq!(report.exit_code(false), 0);
    assert_eq!(report.exit_code(true), 1);
}

#[test]
fn an_old_name_that_is_another_options_name_is_refused() {
    let mut reg = Registry::new();
    let e = auth::register_conf_options(&mut reg, "myapp", &[("cafile", DeprecatedName::name("certfile"))])
        .expect_err("certfile is an option of the group");
    assert!(matches!(&e, RegistryError::Invalid { option, .. } if option == "cafile"), "{e}");
    assert!(e.to_string().contains("\"certfile\" is the name of another option"), "{e}");
}

#[test]
fn renames_survive_merging_registries() {
    let mut reg = Registry::new();
    reg.merge(&registry()).expect("merge");
    let d = Dir::new();
    let p = d.write("myapp.conf", OLD);
    let l =
        auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "myapp").expect("loads");
    assert_eq!(l.snapshot.value("myapp", "username").and_then(|v| v.as_str()), Some("glance"));
}
