//! OpenBao KV v2 as a source, against a real `bao server -dev` (installed
//! by the tests into a venv of their own): values by path and key with a
//! token or an AppRole login, every value a secret in `show` whatever its
//! option, a path the policy refuses and a missing key as findings naming
//! the store, token renewal keeping a short-lived token alive, and a
//! password rotated in OpenBao used by a Session's next request with no
//! request failing (the rotation found by polling the KV metadata
//! version).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::Dir;
use common::openbao::OpenBao;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::OpenBaoSource;
use stackauth::opt::{Opt, OptType, Registry, Secret};
use stackauth::reload::{LiveConfig, ReloadEvent};
use stackauth::tools::show::{ShowOptions, render_text};

use crate::etcd::{identity, rotation_is_seamless, service_conf};

fn registry() -> Arc<Registry> {
    Arc::new(common::registry([
        ("DEFAULT", Opt::new("workers", OptType::integer()).default("1").mutable()),
        ("keystone_authtoken", Opt::string("password").secret().mutable()),
        ("keystone_authtoken", Opt::string("region_name")),
    ]))
}

#[test]
fn values_by_path_and_key_with_a_token_are_secrets_in_show() {
    let Some(bao) = OpenBao::start() else { return };
    let version = bao.put("glance", json!({"password": "bao-pass-1", "region": "RegionSecret", "workers": 6}));
    let reg = registry();
    let source = OpenBaoSource::new(&bao.url)
        .token(Secret::new(common::openbao::ROOT_TOKEN))
        .value("keystone_authtoken", "password", "glance", "password")
        .value("keystone_authtoken", "region_name", "glance", "region")
        .value("DEFAULT", "workers", "glance", "workers");
    let snap = Loader::new(&reg).source(source.clone()).load().expect("loads");
    assert_eq!(snap.get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(6));
    let pw = snap.get("keystone_authtoken", "password").expect("set");
    assert_eq!(pw.origin.to_string(), format!("openbao secret/glance key password, version {version}"));
    assert_eq!(pw.value.as_ref().map(|v| v.to_plain_string()).as_deref(), Some("bao-pass-1"));
    // Not declared secret, but from a secret store: masked all the same.
    let region = snap.get("keystone_authtoken", "region_name").expect("set");
    assert!(region.secret);
    let shown = render_text(&snap, ShowOptions::default());
    assert!(shown.contains("region_name = ****") && shown.contains("password = ****"), "{shown}");
    assert!(shown.contains("openbao secret/glance key region, version"), "{shown}");
    assert!(!shown.contains("bao-pass-1") && !shown.contains("RegionSecret"), "{shown}");
    assert_eq!(source.versions().get("glance"), Some(&version));
    assert!(!format!("{source:?}").contains(common::openbao::ROOT_TOKEN));
}

#[test]
fn approle_reads_what_its_policy_allows_and_the_rest_is_a_finding_naming_the_store() {
    let Some(bao) = OpenBao::start() else { return };
    bao.put("glance", json!({"password": "bao-pass-1"}));
    bao.put("nova", json!({"password": "not-for-glance"}));
    let (role, secret_id) = bao.approle("glance", &["glance"], 60);
    let reg = registry();
    let ok = OpenBaoSource::new(&bao.url).approle(&role, Secret::new(secret_id.clone())).value(
        "keystone_authtoken",
        "password",
        "glance",
        "password",
    );
    let snap = Loader::new(&reg).source(ok).load().expect("loads");
    assert!(snap.get("keystone_authtoken", "password").is_some_and(|r| r.value.is_some()));

    let refused = OpenBaoSource::new(&bao.url).approle(&role, Secret::new(secret_id.clone())).value(
        "keystone_authtoken",
        "password",
        "nova",
        "password",
    );
    let e = Loader::new(&reg).source(refused).load().expect_err("the policy refuses nova");
    let text = e.to_string();
    assert!(text.contains(&format!("openbao {}", bao.url)) && text.contains("secret/nova"), "{text}");
    assert!(text.contains("permission denied") && text.contains("password"), "{text}");
    assert!(!text.contains(&secret_id) && !text.contains("not-for-glance"), "{text}");

    let bad_login = OpenBaoSource::new(&bao.url).approle(&role, Secret::new("wrong-secret-id")).value(
        "keystone_authtoken",
        "password",
        "glance",
        "password",
    );
    let text = Loader::new(&reg).source(bad_login).load().expect_err("refused login").to_string();
    assert!(text.contains("AppRole login") && !text.contains("wrong-secret-id"), "{text}");

    let missing = OpenBaoSource::new(&bao.url).approle(&role, Secret::new(secret_id)).value(
        "keystone_authtoken",
        "password",
        "glance",
        "passwd",
    );
    let text = Loader::new(&reg).source(missing).load().expect_err("no such key").to_string();
    assert!(text.contains("secret/glance has no text key passwd"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_short_lived_token_is_renewed_and_a_bad_change_keeps_the_last_good_config() {
    let Some(bao) = OpenBao::start() else { return };
    bao.put("svc", json!({"workers": "3"}));
    bao.call("POST", "sys/policies/acl/svc", Some(json!({"policy":
        "path \"secret/data/svc\" { capabilities = [\"read\"] }\npath \"secret/metadata/svc\" { capabilities = [\"read\"] }"})))
        .expect("policy");
    // A given token (no AppRole to log in again with) that lives 3 s.
    let token = bao.token("svc", 3);
    let source =
        OpenBaoSource::new(&bao.url).token(Secret::new(token.clone())).value("DEFAULT", "workers", "svc", "workers");
    let live = LiveConfig::new(Loader::shared(registry()).source(source.clone())).expect("loads");
    let _following = live.follow_openbao(&source, Duration::from_millis(200));
    let mut events = live.events();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(bao.token_ttl(&token).is_some_and(|t| t > 0), "renewed past its first 3 s");

    bao.put("svc", json!({"workers": "many"}));
    let failed = loop {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event").expect("event") {
            ReloadEvent::Failed { error } => break error.to_string(),
            _ => continue,
        }
    };
    assert!(failed.contains("openbao secret/svc key workers"), "{failed}");
    assert!(!failed.contains("many"), "a value from a secret store is not shown: {failed}");
    assert_eq!(live.snapshot().get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(3));

    bao.put("svc", json!({"workers": "9"}));
    for _ in 0..250 {
        if live.snapshot().get_as::<i64>("DEFAULT", "workers").ok().flatten() == Some(9) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the fixed value was not applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_rotated_in_openbao_is_used_by_the_next_request_with_none_failing() {
    let Some(bao) = OpenBao::start() else { return };
    let id = identity("old-pass-1").await;
    bao.put("glance", json!({"password": "old-pass-1"}));
    let (role, secret_id) = bao.approle("glance", &["glance"], 60);
    let d = Dir::new();
    let conf = service_conf(&d, &id);
    let source = OpenBaoSource::new(&bao.url).approle(&role, Secret::new(secret_id)).value(
        "keystone_authtoken",
        "password",
        "glance",
        "password",
    );
    let live = LiveConfig::new(Loader::shared(Arc::new(Registry::new())).config_file(&conf).source(source.clone()))
        .expect("loads");
    let _following = live.follow_openbao(&source, Duration::from_millis(200));
    rotation_is_seamless(&id, &live, || {
        bao.put("glance", json!({"password": "new-pass-2"}));
    })
    .await;
}

#[test]
fn validate_checks_values_from_the_store_and_names_it_without_the_value() {
    let Some(bao) = OpenBao::start() else { return };
    bao.put("svc", json!({"workers": "bao-many", "password": "bao-validate-pw"}));
    let source = OpenBaoSource::new(&bao.url)
        .token(Secret::new(common::openbao::ROOT_TOKEN))
        .value("DEFAULT", "workers", "svc", "workers")
        .value("keystone_authtoken", "password", "svc", "password");
    let reg = registry();
    let loader = Loader::new(&reg).source(source);
    let report = stackauth::tools::validate::validate(
        &loader,
        &stackauth::auth::PluginRegistry::builtin(),
        &stackauth::tools::validate::ValidateOptions::default(),
    );
    assert_eq!(report.errors(), 1, "{:?}", report.findings);
    let text = report.findings[0].to_string();
    assert!(text.contains("workers") && text.contains("openbao secret/svc key workers, version 1"), "{text}");
    assert!(!text.contains("bao-many") && !text.contains("bao-validate-pw"), "{text}");
}

#[test]
fn the_command_reads_an_openbao_config_source() {
    let Some(bao) = OpenBao::start() else { return };
    let version = bao.put("glance", json!({"password": "bao-cli-pw", "region": "bao-cli-region"}));
    bao.put("nova", json!({"password": "not-for-glance"}));
    let (role, secret_id) = bao.approle("glance", &["glance"], 60);
    let d = Dir::new();
    let conf = |values: &str| {
        let p = d.write(
            "glance-api.conf",
            format!(
                "[DEFAULT]\nconfig_source = secrets\n\n[secrets]\ndriver = openbao\naddress = {}\nrole_id = {role}\n\
                 secret_id = {secret_id}\nvalues = {values}\n\n[keystone_authtoken]\nauth_type = password\nusername = glance\n\
                 auth_url = http://keystone.example/v3\n",
                bao.url
            ),
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        p
    };
    let run = |cmd: &str, p: &std::path::Path| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
            .args([cmd, "--no-env", "--config-file"])
            .arg(p)
            .output()
            .expect("runs");
        (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
    };
    let good = conf("keystone_authtoken.password=glance#password, keystone_authtoken.region_name=glance#region");
    let (ok, out) = run("show", &good);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("openbao secret/glance key password, version {version}")), "{out}");
    assert!(out.contains(&format!("openbao secret/glance key region, version {version}")), "{out}");
    for secret in ["bao-cli-pw", "bao-cli-region", secret_id.as_str()] {
        assert!(!out.contains(secret), "{secret} shown: {out}");
    }

    let refused = conf("keystone_authtoken.password=nova#password");
    let (ok, out) = run("validate", &refused);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("openbao {}: secret/nova: permission denied", bao.url)), "{out}");
    assert!(!out.contains("not-for-glance") && !out.contains(&secret_id), "{out}");

    let malformed = conf("keystone_authtoken.password");
    let (ok, out) = run("validate", &malformed);
    assert!(!ok && out.contains("is not GROUP.OPTION=PATH#KEY"), "{out}");
}
