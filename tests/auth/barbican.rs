//! castellan's config_source driver with its Barbican key manager, against
//! a real Barbican (installed by the tests into a venv of their own,
//! served beside the tests' Keystone): values are secrets' payloads named
//! by secret id in a mapping file, fetched with a Keystone token of the
//! service's own credentials; every value is a secret in `show`, with the
//! provenance `barbican secret <id>`; a secret that cannot be fetched is a
//! finding naming the source and the secret id, never the value; a
//! password rotated by mapping the option to a new secret is used by a
//! Session's next request after a reload, with no request failing.

use crate::common;

use std::sync::Arc;

use common::Dir;
use common::barbican::{Barbican, castellan_conf, service_user};
use stackauth::Loader;
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::LiveConfig;
use stackauth::session::{BarbicanSource, Castellan};
use stackauth::tools::show::{ShowOptions, render_text};

use crate::etcd::{identity, rotation_is_seamless, service_conf};

fn registry() -> Arc<Registry> {
    Arc::new(common::registry([
        ("DEFAULT", Opt::new("workers", OptType::integer()).default("1").mutable()),
        ("keystone_authtoken", Opt::string("password").secret().mutable()),
        ("keystone_authtoken", Opt::string("region_name")),
    ]))
}

/// glance.conf naming castellan.conf and the mapping file as castellan's
/// driver wants them, then `rest`.
fn service_files(d: &Dir, castellan: &str, mapping: &str, rest: &str) -> std::path::PathBuf {
    let c = d.write("castellan.conf", castellan);
    let m = d.write("mapping.conf", mapping);
    d.write(
        "glance.conf",
        format!(
            "[DEFAULT]\nconfig_source = secrets\n\n[secrets]\ndriver = castellan\nconfig_file = {}\nmapping_file = {}\n\n{rest}",
            c.display(),
            m.display()
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapped_options_are_barbican_payloads_masked_with_their_secret_id() {
    let Some(b) = Barbican::get() else { return };
    let (user, pw, project, token) = service_user(b.keystone, "castellan-show").await;
    let pw_id = b.store(&token, "glance-password", "barbican-pass-1").await;
    let region_id = b.store(&token, "glance-region", "RegionFromBarbican").await;
    let workers_id = b.store(&token, "glance-workers", "7").await;
    let d = Dir::new();
    let conf = service_files(
        &d,
        &castellan_conf(b, &user, &pw, &project),
        &format!(
            "[keystone_authtoken]\npassword = {pw_id}\nregion_name = {region_id}\n\n[DEFAULT]\nworkers = {workers_id}\n"
        ),
        "",
    );
    // castellan.conf holds the service's Keystone password: readable by
    // every user, it is warned about as a config file would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = d.path().join("castellan.conf");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let reg = registry();
    let snap = tokio::task::spawn_blocking(move || {
        Loader::new(&reg).config_file(&conf).config_source_driver(Castellan).load().map(|s| (s, reg))
    })
    .await
    .expect("joins");
    let (snap, _reg) = snap.expect("loads");
    #[cfg(unix)]
    {
        let warned = snap.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>().join("\n");
        assert!(warned.contains("castellan [secrets]") && warned.contains("every user can read it"), "{warned}");
        assert!(warned.contains("castellan.conf") && !warned.contains(&pw), "{warned}");
    }
    let p = snap.get("keystone_authtoken", "password").expect("set");
    assert_eq!(p.origin.to_string(), format!("barbican secret {pw_id}"));
    assert_eq!(p.value.as_ref().map(|v| v.to_plain_string()).as_deref(), Some("barbican-pass-1"));
    assert_eq!(snap.get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(7));
    // Not declared secret, but from a key manager: masked all the same.
    let region = snap.get("keystone_authtoken", "region_name").expect("set");
    assert!(region.secret);
    let shown = render_text(&snap, ShowOptions::default());
    assert!(shown.contains("region_name = ****") && shown.contains("password = ****"), "{shown}");
    assert!(shown.contains(&format!("barbican secret {region_id}")), "{shown}");
    for secret in ["barbican-pass-1", "RegionFromBarbican", pw.as_str()] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_that_cannot_be_fetched_is_a_finding_naming_the_source_and_the_id() {
    let Some(b) = Barbican::get() else { return };
    let (user, pw, project, token) = service_user(b.keystone, "castellan-miss").await;
    let (other, other_pw, other_project, other_token) = service_user(b.keystone, "castellan-other").await;
    let good = b.store(&token, "mine", "mine-value-1").await;
    let not_mine = b.store(&other_token, "theirs", "not-for-glance").await;
    let unknown = "0b0e2c57-3a43-4a4c-9d55-8c3c0e0b9a11";
    let reg = registry();
    let run = |castellan: String, mapping: String| {
        let d = Dir::new();
        let reg = reg.clone();
        let conf = service_files(&d, &castellan, &mapping, "");
        std::thread::spawn(move || {
            let _d = d;
            Loader::new(&reg).config_file(&conf).config_source_driver(Castellan).load().expect_err("fails").to_string()
        })
        .join()
        .expect("joins")
    };
    let conf = castellan_conf(b, &user, &pw, &project);
    let text = run(conf.clone(), format!("[keystone_authtoken]\npassword = {unknown}\nregion_name = {good}\n"));
    assert!(text.contains(&format!("castellan [secrets]: barbican secret {unknown}")), "{text}");
    assert!(text.contains("not found") && text.contains("password"), "{text}");
    assert!(!text.contains("mine-value-1") && !text.contains(&pw), "{text}");

    // Another project's secret: the service's user may not read it.
    let text = run(conf.clone(), format!("[keystone_authtoken]\npassword = {not_mine}\n"));
    assert!(text.contains(&format!("barbican secret {not_mine}")), "{text}");
    assert!(!text.contains("not-for-glance"), "{text}");

    // Credentials Keystone refuses: one finding for the source.
    let wrong = castellan_conf(b, &user, "wrong-keystone-pw", &project);
    let text = run(wrong, format!("[keystone_authtoken]\npassword = {good}\n"));
    assert!(text.contains("castellan [secrets]: cannot authenticate with Keystone"), "{text}");
    assert!(!text.contains("wrong-keystone-pw"), "{text}");

    // castellan's non-Keystone credentials cannot reach Barbican.
    let plain = conf.replace("keystone_password", "password");
    let text = run(plain, format!("[keystone_authtoken]\npassword = {good}\n"));
    assert!(text.contains("auth_type is \"password\": Barbican needs keystone_password"), "{text}");
    let _ = (other, other_pw, other_project);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_rotated_to_a_new_barbican_secret_is_used_by_the_next_request_with_none_failing() {
    let Some(b) = Barbican::get() else { return };
    let (user, pw, project, token) = service_user(b.keystone, "castellan-rotate").await;
    let id = identity("old-pass-1").await;
    let old = b.store(&token, "glance-password-1", "old-pass-1").await;
    let new = b.store(&token, "glance-password-2", "new-pass-2").await;
    let d = Dir::new();
    let base = std::fs::read_to_string(service_conf(&d, &id)).expect("reads");
    let conf = service_files(
        &d,
        &castellan_conf(b, &user, &pw, &project),
        &format!("[keystone_authtoken]\npassword = {old}\n"),
        &base,
    );
    let loader = Loader::shared(registry()).config_file(&conf).config_source_driver(Castellan);
    let live = tokio::task::spawn_blocking(move || LiveConfig::new(loader)).await.expect("joins").expect("loads");
    assert_eq!(
        live.snapshot().get("keystone_authtoken", "password").map(|r| r.origin.to_string()),
        Some(format!("barbican secret {old}"))
    );
    let mapping = d.path().join("mapping.conf");
    let reloading = live.clone();
    let new_id = new.clone();
    rotation_is_seamless(&id, &live, move || {
        // Barbican's secrets are immutable: rotating is mapping the option
        // to a new secret, then reloading.
        std::fs::write(&mapping, format!("[keystone_authtoken]\npassword = {new_id}\n")).expect("writes");
        std::thread::spawn(move || {
            reloading.reload();
        });
    })
    .await;
    assert_eq!(
        live.snapshot().get("keystone_authtoken", "password").map(|r| r.origin.to_string()),
        Some(format!("barbican secret {new}"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_shows_and_validates_a_castellan_config_source() {
    let Some(b) = Barbican::get() else { return };
    let (user, pw, project, token) = service_user(b.keystone, "castellan-cli").await;
    let pw_id = b.store(&token, "cli-password", "barbican-cli-pw").await;
    let unknown = "6f1c7c1e-9c2b-4c53-8f0c-3c1d2b8e7a55";
    let d = Dir::new();
    let castellan = castellan_conf(b, &user, &pw, &project);
    let rest = "[keystone_authtoken]\nauth_type = password\nusername = glance\nuser_domain_name = Default\nauth_url = http://keystone.example/v3\n";
    let run = |cmd: &str, mapping: &str| {
        let conf = service_files(&d, &castellan, mapping, rest);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in [&conf, &d.path().join("castellan.conf")] {
                std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            }
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
            .args([cmd, "--no-env", "--config-file"])
            .arg(&conf)
            .output()
            .expect("runs");
        (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
    };
    let (ok, out) = run("show", &format!("[keystone_authtoken]\npassword = {pw_id}\n"));
    assert!(ok, "{out}");
    assert!(out.contains(&format!("barbican secret {pw_id}")), "{out}");
    assert!(out.contains("password = ****"), "{out}");
    assert!(!out.contains("barbican-cli-pw") && !out.contains(&pw), "{out}");

    let (ok, out) = run("validate", &format!("[keystone_authtoken]\npassword = {pw_id}\n"));
    assert!(ok, "{out}");
    assert!(!out.contains("barbican-cli-pw"), "{out}");

    let (ok, out) = run("validate", &format!("[keystone_authtoken]\npassword = {unknown}\n"));
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!(
            "castellan [secrets]: barbican secret {unknown} for [keystone_authtoken] password: not found"
        )),
        "{out}"
    );
    assert!(!out.contains(&pw), "{out}");
}

#[test]
fn a_source_built_in_code_reads_the_same_files_and_its_debug_shows_no_secret() {
    let d = Dir::new();
    let c = d.write("castellan.conf", "[key_manager]\nauth_type = keystone_password\npassword = castellan-debug-pw\n");
    let m = d.write("mapping.conf", "");
    let source = BarbicanSource::new(&c, &m);
    let shown = format!("{source:?}");
    assert!(!shown.contains("castellan-debug-pw"), "{shown}");
    // An empty mapping asks nothing of Barbican.
    let reg = registry();
    let snap = Loader::new(&reg).source(source).load().expect("loads");
    assert_eq!(snap.get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(1));
}

/// Barbican in the tests' Keystone catalog (`key-manager`, public, in
/// RegionOne), once per test process.
async fn in_catalog(b: &Barbican) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let ks = b.keystone;
        let (s, svc) = ks
            .api(
                reqwest::Method::POST,
                "/services",
                Some(serde_json::json!({"service": {"type": "key-manager", "name": "barbican"}})),
            )
            .await;
        assert_eq!(s, 201, "{svc}");
        let id = svc["service"]["id"].as_str().expect("service id");
        let body = serde_json::json!({"endpoint": {"service_id": id, "interface": "public", "region_id": "RegionOne", "url": b.url}});
        let (s, e) = ks.api(reqwest::Method::POST, "/endpoints", Some(body)).await;
        assert_eq!(s, 201, "{e}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_barbican_endpoint_the_catalog_gives_it_and_a_keystone_token_works_too() {
    let Some(b) = Barbican::get() else { return };
    in_catalog(b).await;
    let (user, pw, project, token) = service_user(b.keystone, "castellan-catalog").await;
    let id = b.store(&token, "catalog-password", "catalog-pass-1").await;
    let from_catalog = castellan_conf(b, &user, &pw, &project).replace(
        &format!("barbican_endpoint = {}\n", b.url),
        "barbican_endpoint_type = public\nbarbican_region_name = RegionOne\n",
    );
    assert!(!from_catalog.contains("barbican_endpoint ="), "{from_catalog}");
    let with_token = format!(
        "[key_manager]\nauth_type = keystone_token\nauth_url = {}\ntoken = {token}\nproject_id = {project}\n\n\
         [barbican]\nbarbican_endpoint = {}\n",
        b.keystone.url, b.url
    );
    let internal = from_catalog.replace("barbican_endpoint_type = public", "barbican_endpoint_type = internal");
    let reg = registry();
    let load = |castellan: String| {
        let d = Dir::new();
        let reg = reg.clone();
        let conf = service_files(&d, &castellan, &format!("[keystone_authtoken]\npassword = {id}\n"), "");
        std::thread::spawn(move || {
            let _d = d;
            Loader::new(&reg).config_file(&conf).config_source_driver(Castellan).load().map(|s| {
                s.get("keystone_authtoken", "password").and_then(|r| r.value.as_ref().map(|v| v.to_plain_string()))
            })
        })
        .join()
        .expect("joins")
    };
    assert_eq!(load(from_catalog).expect("loads"), Some("catalog-pass-1".to_owned()));
    assert_eq!(load(with_token).expect("loads"), Some("catalog-pass-1".to_owned()));
    let text = load(internal).expect_err("no internal endpoint").to_string();
    assert!(text.contains("castellan [secrets]: no Barbican endpoint"), "{text}");
    assert!(!text.contains("catalog-pass-1") && !text.contains(&pw), "{text}");
}
