//! `clouds.yaml` with `--os-cloud`/`OS_CLOUD`: search path, `secure.yaml`,
//! precedence under arguments and variables. A temporary dir stands for
//! HOME and the current dir; the process environment is never read.

use std::path::Path;

use stackauth::auth::{PluginRegistry, cli};
use stackauth::diagnostic::Code;
use stackauth::source::{Env, Origin};

const CLOUDS: &str = "\
clouds:
  mycloud:
    auth_type: v3password
    auth:
      auth_url: http://yaml-keystone:5000/v3
      username: u
      user_domain_name: Default
      project_name: x
      project_domain_name: Default
    region_name: RegionTwo
    interface: internal
    verify: false
  other:
    auth:
      auth_url: http://other:5000/v3
";

const SECURE: &str = "\
clouds:
  mycloud:
    auth:
      password: S3cr3t-from-secure
";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn load(
    home: &Path,
    cwd: &Path,
    list: &[&str],
    env: &Env,
) -> Result<stackauth::auth::LoadedAuth, stackauth::LoadError> {
    let argv: Vec<String> = std::iter::once("prog").chain(list.iter().copied()).map(str::to_owned).collect();
    let plugins = PluginRegistry::builtin();
    let cloud = match cli::cloud_from(&argv, env) {
        Some((name, _)) => Some(cli::find_cloud(
            &name,
            &cli::clouds_search_path(env, cwd, Some(home)),
            &cli::secure_search_path(env, cwd, Some(home)),
        )?),
        None => None,
    };
    let auth_type = cli::auth_type_from(&argv, env)
        .map(|(t, _)| t)
        .or_else(|| cloud.as_ref().and_then(|c| c.auth_type.clone()).map(|(t, _)| t))
        .unwrap_or_else(|| "password".into());
    let cmd = cli::register(clap::Command::new("prog"), &plugins, Some(&auth_type), None);
    let m = cmd.try_get_matches_from(&argv).expect("parses");
    cli::load_with_cloud(&m, &plugins, &auth_type, env, cloud.as_ref())
}

#[test]
fn cloud_from_home_config_with_secure_yaml() {
    let home = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    write(home.path(), ".config/openstack/clouds.yaml", CLOUDS);
    write(home.path(), ".config/openstack/secure.yaml", SECURE);
    let l = load(home.path(), cwd.path(), &["--os-cloud", "mycloud"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.plugin.auth_url(), Some("http://yaml-keystone:5000/v3"));
    assert!(l.session.insecure);
    assert_eq!(l.adapter.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(l.adapter.interfaces, vec!["internal".to_owned()]);
    let origin = l.snapshot.get(cli::GROUP, "auth_url").expect("set").origin.clone();
    let loc = origin.location().expect("a file");
    assert!(loc.path.ends_with(".config/openstack/clouds.yaml") && loc.line == 5, "{origin}");
    let pw = l.snapshot.get(cli::GROUP, "password").expect("set").origin.clone();
    assert!(pw.location().expect("a file").path.ends_with("secure.yaml"), "{pw}");
    assert!(!format!("{l:?}").contains("S3cr3t-from-secure"));
}

#[test]
fn current_dir_first_and_arguments_and_env_win() {
    let home = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    write(home.path(), ".config/openstack/clouds.yaml", "clouds: {}\n");
    write(cwd.path(), "clouds.yaml", CLOUDS);
    let env = Env::from_pairs([("OS_CLOUD", "mycloud"), ("OS_PASSWORD", "pw"), ("OS_USERNAME", "env-user")]);
    let l = load(home.path(), cwd.path(), &["--os-auth-url", "http://arg:5000/v3"], &env).expect("loads");
    assert_eq!(l.plugin.auth_url(), Some("http://arg:5000/v3"));
    assert_eq!(l.snapshot.value(cli::GROUP, "username").and_then(|v| v.as_str()), Some("env-user"));
    assert_eq!(l.snapshot.get(cli::GROUP, "project_name").expect("set").origin.location().map(|l| l.line), Some(8));
    assert_eq!(l.snapshot.get(cli::GROUP, "password").expect("set").origin, Origin::Env { var: "OS_PASSWORD".into() });
}

#[test]
fn client_config_file_variable_and_unknown_cloud() {
    let home = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    write(cwd.path(), "elsewhere/my.yaml", CLOUDS);
    let file = cwd.path().join("elsewhere/my.yaml");
    let env = Env::from_pairs([("OS_CLIENT_CONFIG_FILE", file.to_string_lossy().into_owned())]);
    let e = load(home.path(), cwd.path(), &["--os-cloud", "mycluod"], &env).expect_err("unknown cloud");
    let text = e.to_string();
    assert!(text.contains("mycluod") && text.contains("did you mean \"mycloud\""), "{text}");
    assert!(e.errors().all(|d| d.code == Code::AuthOption));
    // `other` has no auth_type: password (the generic plugin), as openstacksdk.
    let l = load(home.path(), cwd.path(), &["--os-cloud=other", "--os-password", "S3cr3t-arg"], &env);
    let e = l.expect_err("no username");
    assert!(!e.to_string().contains("S3cr3t-arg") && !format!("{e:?}").contains("S3cr3t-arg"), "{e}");
}

#[test]
fn no_clouds_yaml_anywhere() {
    let home = tempfile::tempdir().expect("tempdir");
    let cwd = tempfile::tempdir().expect("tempdir");
    let e = load(home.path(), cwd.path(), &["--os-cloud", "mycloud"], &Env::empty()).expect_err("none");
    // /etc/openstack may exist on the machine; either way the cloud is not found.
    assert!(e.to_string().contains("cloud \"mycloud\" is not in"), "{e}");
}
