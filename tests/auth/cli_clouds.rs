//! `clouds.yaml` with `--os-cloud`/`OS_CLOUD`, as openstacksdk reads it:
//! search path, `secure.yaml`, `clouds-public.yaml` profiles, the keys a
//! cloud has, and precedence under arguments and variables. A temporary
//! dir stands for HOME and the current dir; the process environment is
//! never read.

use std::path::{Path, PathBuf};

use stackauth::auth::cli::{self, CliAuth, CloudFiles, Dirs};
use stackauth::auth::{Interface, LoadedAuth, PluginRegistry};
use stackauth::diagnostic::Code;
use stackauth::source::{Env, Origin};
use stackauth::{LoadError, Snapshot};

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

struct Home {
    home: tempfile::TempDir,
    cwd: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { home: tempfile::tempdir().expect("tempdir"), cwd: tempfile::tempdir().expect("tempdir") }
    }

    /// Writes `rel` under HOME (`~/...`) or the current dir (`./...`).
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = match rel.strip_prefix("./") {
            Some(r) => self.cwd.path().join(r),
            None => self.home.path().join(rel.trim_start_matches("~/")),
        };
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }

    fn dirs(&self) -> Dirs {
        Dirs { cwd: self.cwd.path().into(), home: Some(self.home.path().into()), config_home: None }
    }

    fn scan(&self, list: &[&str], env: &Env) -> (CliAuth, Vec<String>) {
        let argv: Vec<String> = std::iter::once("prog").chain(list.iter().copied()).map(str::to_owned).collect();
        (CliAuth::scan(&argv, env.clone(), &self.dirs(), PluginRegistry::builtin(), None), argv)
    }

    fn load(&self, list: &[&str], env: &Env) -> Result<LoadedAuth, LoadError> {
        let (auth, argv) = self.scan(list, env);
        let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).expect("parses");
        auth.load(&m)
    }
}

fn value(s: &Snapshot, dest: &str) -> Option<String> {
    s.value(cli::GROUP, dest).map(|v| v.to_plain_string())
}

/// The file and line a value came from.
fn at(s: &Snapshot, dest: &str) -> (String, u32) {
    let o = s.get(cli::GROUP, dest).unwrap_or_else(|| panic!("{dest} unset")).origin.clone();
    let loc = o.location().unwrap_or_else(|| panic!("{dest} is from {o}, not a file"));
    (loc.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(), loc.line)
}

#[test]
fn cloud_from_home_config_with_secure_yaml() {
    let h = Home::new();
    h.write("~/.config/openstack/clouds.yaml", CLOUDS);
    h.write("~/.config/openstack/secure.yaml", SECURE);
    let l = h.load(&["--os-cloud", "mycloud"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.plugin.auth_url(), Some("http://yaml-keystone:5000/v3"));
    assert!(l.session.insecure);
    assert_eq!(l.adapter.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(l.adapter.interfaces, [Interface::Internal]);
    assert_eq!(at(&l.snapshot, "auth_url"), ("clouds.yaml".into(), 5));
    assert_eq!(at(&l.snapshot, "password"), ("secure.yaml".into(), 4));
    assert_eq!(at(&l.snapshot, "auth_type"), ("clouds.yaml".into(), 3));
    assert!(!format!("{l:?}").contains("S3cr3t-from-secure"));
}

#[test]
fn current_dir_first_and_arguments_and_env_win() {
    let h = Home::new();
    h.write("~/.config/openstack/clouds.yaml", "clouds: {}\n");
    h.write("./clouds.yaml", CLOUDS);
    let env = Env::from_pairs([("OS_CLOUD", "mycloud"), ("OS_PASSWORD", "pw"), ("OS_USERNAME", "env-user")]);
    let l = h.load(&["--os-auth-url", "http://arg:5000/v3"], &env).expect("loads");
    assert_eq!(l.plugin.auth_url(), Some("http://arg:5000/v3"));
    assert_eq!(value(&l.snapshot, "username").as_deref(), Some("env-user"));
    assert_eq!(at(&l.snapshot, "project_name"), ("clouds.yaml".into(), 8));
    assert_eq!(l.snapshot.get(cli::GROUP, "password").expect("set").origin, Origin::Env { var: "OS_PASSWORD".into() });
}

#[test]
fn one_option_from_each_layer_in_precedence_order() {
    // argument > variable > secure.yaml > clouds.yaml > clouds-public.yaml profile
    let h = Home::new();
    h.write(
        "./clouds-public.yaml",
        "public-clouds:\n  acme:\n    auth:\n      auth_url: http://profile/v3\n      username: p-user\n\
         \x20     user_domain_name: p-domain\n      project_name: p-project\n      project_domain_name: p-pd\n\
         \x20     password: p-pw\n",
    );
    h.write(
        "./clouds.yaml",
        "clouds:\n  c:\n    profile: acme\n    auth:\n      username: c-user\n      user_domain_name: c-domain\n\
         \x20     project_name: c-project\n      project_domain_name: c-pd\n",
    );
    h.write("./secure.yaml", "clouds:\n  c:\n    auth:\n      user_domain_name: s-domain\n      project_name: s-project\n      project_domain_name: s-pd\n");
    let env = Env::from_pairs([("OS_PROJECT_NAME", "e-project"), ("OS_PROJECT_DOMAIN_NAME", "e-pd")]);
    let l = h.load(&["--os-cloud", "c", "--os-project-domain-name", "a-pd"], &env).expect("loads");
    let s = &l.snapshot;
    assert_eq!(value(s, "project_domain_name").as_deref(), Some("a-pd"));
    assert_eq!(value(s, "project_name").as_deref(), Some("e-project"));
    assert_eq!(value(s, "user_domain_name").as_deref(), Some("s-domain"));
    assert_eq!(value(s, "username").as_deref(), Some("c-user"));
    assert_eq!(value(s, "auth_url").as_deref(), Some("http://profile/v3"));
    assert_eq!(at(s, "auth_url"), ("clouds-public.yaml".into(), 4));
    assert_eq!(at(s, "user_domain_name"), ("secure.yaml".into(), 4));
    assert_eq!(at(s, "username"), ("clouds.yaml".into(), 5));
    assert_eq!(s.get(cli::GROUP, "project_name").expect("set").origin, Origin::Env { var: "OS_PROJECT_NAME".into() });
    let files = h.scan(&["--os-cloud", "c"], &env).0.cloud().expect("read").files().to_vec();
    let names: Vec<_> = files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["clouds.yaml", "secure.yaml", "clouds-public.yaml"]);
}

#[test]
fn profile_values_under_the_clouds_and_the_old_cloud_key() {
    let h = Home::new();
    h.write(
        "~/.config/openstack/clouds-public.yaml",
        "public-clouds:\n  acme:\n    auth:\n      auth_url: https://acme.example/v3\n    region_name: ACME-1\n\
         \x20   interface: internal\n    identity_api_version: 3\n  old:\n    status: deprecated\n    message: use acme\n\
         \x20   auth:\n      auth_url: https://old.example/v3\n",
    );
    h.write(
        "./clouds.yaml",
        "clouds:\n  a:\n    profile: acme\n    region_name: ACME-2\n    auth:\n      username: u\n      password: p\n\
         \x20     user_domain_name: D\n  b:\n    cloud: old\n    auth:\n      user_id: u1\n      password: p\n",
    );
    let l = h.load(&["--os-cloud", "a"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin.auth_url(), Some("https://acme.example/v3"));
    assert_eq!(l.adapter.region_name.as_deref(), Some("ACME-2"), "the cloud's value beats the profile's");
    assert_eq!(l.adapter.interfaces, [Interface::Internal]);
    assert_eq!(l.plugin_name, "v3password", "identity_api_version 3 from the profile, and a user name");

    let l = h.load(&["--os-cloud", "b"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin.auth_url(), Some("https://old.example/v3"));
    let warnings: Vec<String> = l.snapshot.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w.contains("cloud: is deprecated: use profile:") && w.contains("clouds.yaml:10:")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("profile \"old\" is deprecated: use acme")), "{warnings:?}");
}

#[test]
fn tls_and_timeout_keys() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  t:\n    auth: {auth_url: 'https://k/v3', user_id: u1, password: p}\n    cacert: ~/ca.pem\n\
         \x20   cert: /etc/client.pem\n    key: ~/client.key\n    api_timeout: 7.5\n  i:\n    auth: {auth_url: 'https://k/v3', user_id: u1, password: p}\n\
         \x20   insecure: true\n    verify: true\n  v:\n    auth: {auth_url: 'https://k/v3', user_id: u1, password: p}\n\
         \x20   cacert: /ca.pem\n    verify: false\n",
    );
    let l = h.load(&["--os-cloud", "t"], &Env::empty()).expect("loads");
    assert_eq!(l.session.cafile, Some(h.home.path().join("ca.pem")));
    assert_eq!(l.session.certfile, Some(PathBuf::from("/etc/client.pem")));
    assert_eq!(l.session.keyfile, Some(h.home.path().join("client.key")));
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_millis(7500)));
    assert!(!l.session.insecure);
    assert_eq!(at(&l.snapshot, "keyfile"), ("clouds.yaml".into(), 6));

    let l = h.load(&["--os-cloud", "i"], &Env::empty()).expect("loads");
    assert!(l.session.insecure, "insecure: true beats verify: true, as in openstacksdk");

    let l = h.load(&["--os-cloud", "v"], &Env::empty()).expect("loads");
    assert!(l.session.insecure);
    let w: Vec<String> = l.snapshot.warnings().iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|w| w.contains("cacert is set but verify is false")), "{w:?}");

    // The flags beat the cloud.
    let l = h.load(&["--os-cloud", "t", "--os-cacert", "/arg/ca.pem", "--timeout", "3"], &Env::empty()).expect("loads");
    assert_eq!(l.session.cafile, Some(PathBuf::from("/arg/ca.pem")));
    assert_eq!(l.session.timeout, Some(std::time::Duration::from_secs(3)));
}

#[test]
fn identity_api_version_picks_the_versioned_plugin() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  v3:\n    identity_api_version: 3\n    auth: {auth_url: 'http://k/v3', username: u, password: p, user_domain_name: D}\n\
         \x20 v2:\n    identity_api_version: '2.0'\n    auth: {auth_url: 'http://k/v2.0', username: u, password: p, project_name: t}\n\
         \x20 tok:\n    identity_api_version: 3\n    auth: {auth_url: 'http://k/v3', auth_token: abc}\n\
         \x20 named:\n    identity_api_version: 3\n    auth_type: password\n    auth: {auth_url: 'http://k/v3', user_id: u1, password: p}\n\
         \x20 bare:\n    identity_api_version: 3\n    auth: {auth_url: 'http://k/v3'}\n",
    );
    let e = Env::empty();
    assert_eq!(h.load(&["--os-cloud", "v3"], &e).expect("loads").plugin_name, "v3password");
    let l = h.load(&["--os-cloud", "v2"], &e).expect("loads");
    assert_eq!(l.plugin_name, "v2password");
    assert_eq!(value(&l.snapshot, "tenant_name").as_deref(), Some("t"), "project_name is v2's tenant_name");
    let l = h.load(&["--os-cloud", "tok"], &e).expect("loads");
    assert_eq!(l.plugin_name, "v3token");
    assert!(l.snapshot.get(cli::GROUP, "token").is_some_and(|r| r.secret), "auth_token is token");
    assert_eq!(h.load(&["--os-cloud", "named"], &e).expect("loads").plugin_name, "password");
    let (auth, _) = h.scan(&["--os-cloud", "bare"], &e);
    assert_eq!(auth.auth_type(), "password", "no credentials given: the generic plugin");
    // The argument and the variable beat the file; --os-auth-type beats them all.
    let env = Env::from_pairs([("OS_IDENTITY_API_VERSION", "2")]);
    assert_eq!(h.scan(&["--os-cloud", "v3"], &env).0.auth_type(), "v2password");
    assert_eq!(h.scan(&["--os-cloud", "v3", "--os-identity-api-version", "3"], &env).0.auth_type(), "v3password");
    assert_eq!(h.scan(&["--os-cloud", "v3", "--os-auth-type", "v3totp"], &env).0.auth_type(), "v3totp");
    // No cloud at all: the same rule on arguments and variables.
    let env = Env::from_pairs([("OS_IDENTITY_API_VERSION", "3"), ("OS_USERNAME", "u")]);
    assert_eq!(h.scan(&[], &env).0.auth_type(), "v3password");
}

#[test]
fn regions_old_keys_and_top_level_auth_values() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  r:\n    regions:\n      - name: R1\n        values: {}\n      - R2\n    endpoint_type: admin\n\
         \x20   auth_plugin: v3password\n    project_name: top-project\n    project_domain_name: top-domain\n\
         \x20   auth: {auth_url: 'http://k/v3', user_id: u1, password: p, project_domain_name: auth-domain}\n\
         \x20 both:\n    region_name: RN\n    regions: [R1]\n    interface: public\n    endpoint_type: admin\n\
         \x20   auth: {auth_url: 'http://k/v3', user_id: u1, password: p}\n",
    );
    let l = h.load(&["--os-cloud", "r"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.adapter.region_name.as_deref(), Some("R1"));
    assert_eq!(l.adapter.interfaces, [Interface::Admin]);
    assert_eq!(value(&l.snapshot, "project_name").as_deref(), Some("top-project"), "a top-level plugin option");
    assert_eq!(value(&l.snapshot, "project_domain_name").as_deref(), Some("auth-domain"), "auth: wins");
    // As openstacksdk 4.22 (checked): `regions` wins over `region_name`, and
    // `endpoint_type` is renamed `interface` where it stands, so the later
    // of the two wins.
    let l = h.load(&["--os-cloud", "both"], &Env::empty()).expect("loads");
    assert_eq!(l.adapter.region_name.as_deref(), Some("R1"));
    assert_eq!(l.adapter.interfaces, [Interface::Admin]);
}

#[test]
fn domain_is_the_default_of_user_and_project_domains() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  p:\n    auth_type: v3password\n    auth: {auth_url: 'http://k/v3', username: u, password: p, project_name: x, domain_name: Dom, user_domain_name: UD}\n\
         \x20 d:\n    auth_type: v3password\n    domain_id: did\n    auth: {auth_url: 'http://k/v3', user_id: u1, password: p}\n",
    );
    let l = h.load(&["--os-cloud", "p"], &Env::empty()).expect("a project scope, not a domain scope too");
    assert_eq!(value(&l.snapshot, "user_domain_name").as_deref(), Some("UD"));
    assert_eq!(value(&l.snapshot, "project_domain_name").as_deref(), Some("Dom"));
    assert_eq!(value(&l.snapshot, "domain_name"), None);
    let l = h.load(&["--os-cloud", "d"], &Env::empty()).expect("loads");
    assert_eq!(value(&l.snapshot, "domain_id").as_deref(), Some("did"), "no project: a domain scope");
}

#[test]
fn search_path_variables_and_json() {
    let h = Home::new();
    let xdg = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(xdg.path().join("openstack")).expect("mkdir");
    std::fs::write(
        xdg.path().join("openstack/clouds.json"),
        "{\n  \"clouds\": {\n    \"j\": {\n      \"auth\": {\"auth_url\": \"http://json/v3\", \"user_id\": \"u1\"}\n    }\n  }\n}\n",
    )
    .expect("write");
    let secure = h.write("~/elsewhere/s.yaml", "clouds:\n  j:\n    auth:\n      password: from-secure-file\n");
    let dirs = Dirs { config_home: Some(xdg.path().into()), ..h.dirs() };
    let env = Env::from_pairs([("OS_CLIENT_SECURE_FILE", secure.to_string_lossy().into_owned())]);
    let files = CloudFiles::search(&env, &dirs);
    assert_eq!(files.secure[0], secure);
    assert_eq!(files.clouds[0], h.cwd.path().join("clouds.yaml"));
    assert!(files.clouds.contains(&PathBuf::from("/etc/openstack/clouds.yml")));
    let cloud = cli::find_cloud("j", &files).expect("found");
    let origins: Vec<(String, u32)> =
        cloud.options().map(|(k, o)| (k.to_owned(), o.location().map_or(0, |l| l.line))).collect();
    assert_eq!(origins, [("auth_url".into(), 4), ("user_id".into(), 4), ("password".into(), 4)]);
    let names: Vec<&Path> = cloud.files().iter().map(PathBuf::as_path).collect();
    assert_eq!(names, [xdg.path().join("openstack/clouds.json").as_path(), secure.as_path()]);
}

#[test]
fn multifactor_methods_from_the_cloud_add_their_flags() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  mf:\n    auth_type: v3multifactor\n    auth:\n      auth_url: http://k/v3\n      auth_methods: [v3password, v3totp]\n\
         \x20     user_id: u1\n      password: p\n",
    );
    let l = h.load(&["--os-cloud", "mf", "--os-passcode", "123456"], &Env::empty()).expect("loads");
    assert_eq!(l.plugin_name, "v3multifactor");
    assert_eq!(value(&l.snapshot, "auth_methods").as_deref(), Some("v3password,v3totp"));
    assert!(l.snapshot.get(cli::GROUP, "passcode").is_some_and(|r| r.secret));
}

#[test]
fn unknown_auth_keys_are_skipped_with_a_warning_at_their_line() {
    let h = Home::new();
    h.write(
        "./clouds.yaml",
        "clouds:\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://k/v3\n\
         \x20     application_credential_id: ac1\n      application_credential_secret: s\n      password: p\n",
    );
    let l = h.load(&["--os-cloud", "ac"], &Env::empty()).expect("loads");
    let w: Vec<&stackauth::diagnostic::Diagnostic> =
        l.snapshot.warnings().iter().filter(|d| d.code == Code::UnknownOption).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    let text = w[0].to_string();
    assert!(text.contains("the v3applicationcredential auth plugin has no option password: skipped"), "{text}");
    assert!(text.contains("clouds.yaml:8:17"), "{text}");
}

#[test]
fn no_clouds_yaml_anywhere() {
    let h = Home::new();
    let e = h.load(&["--os-cloud", "mycloud"], &Env::empty()).expect_err("none");
    // /etc/openstack may hold one on another machine; either way the cloud is not found.
    assert!(e.to_string().contains("cloud \"mycloud\""), "{e}");
    assert!(e.errors().all(|d| d.code == Code::AuthOption), "{e}");
}
