//! Version discovery against a real Keystone, from its versioned catalog
//! entry and from an unversioned one registered for the test.

use crate::common;

use common::Dir;
use common::keystone::{ADMIN_PASSWORD, keystone};
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, EndpointFilter, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session, Version, VersionSpec};

fn admin_session(url: &str) -> Session {
    let d = Dir::new();
    let p = d.write(
        "a.conf",
        format!(
            "[s]\nauth_type = password\nauth_url = {url}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
             user_domain_id = default\nproject_name = admin\nproject_domain_id = default\n"
        ),
    );
    let reg = Registry::new();
    let l = auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "s").expect("loads");
    Session::from_loaded(&l).expect("session")
}

fn spec(s: &str) -> VersionSpec {
    VersionSpec::version(s.parse().expect("version"))
}

#[tokio::test]
async fn identity_versions_from_the_catalog() {
    let Some(ks) = keystone() else { return };
    let s = admin_session(&ks.url);
    let id = EndpointFilter::new("identity");
    let d = s.endpoint_data(&id, Some(&spec("3"))).await.expect("v3");
    assert_eq!(d.api_version.map(|v| v.0), Some(3));
    assert!(d.api_version.is_some_and(|v| v.1 >= 10), "{d:?}");
    assert_eq!(d.url.trim_end_matches('/'), ks.url);
    let latest = s.endpoint_data(&id, Some(&VersionSpec::version(Version::LATEST))).await.expect("latest");
    assert_eq!(latest.api_version, d.api_version);
    let e = s.endpoint_data(&id, Some(&spec("2"))).await.expect_err("no v2");
    assert!(
        e.to_string().contains("identity at") && e.to_string().contains("has no version matching 2.0; it offers: 3."),
        "{e}"
    );
    assert!(s.is_available(&id, Some(&spec("3"))).await.expect("ok"));
    assert!(!s.is_available(&id, Some(&spec("2"))).await.expect("ok"));
    let a = Adapter::new(&s).service_type("identity").version(spec("3"));
    assert_eq!(a.get("/projects").await.expect("projects").status, 200);
}

#[tokio::test]
async fn an_unversioned_catalog_entry_is_discovered_from_its_root() {
    let Some(ks) = keystone() else { return };
    let (st, svc) = ks
        .api(Method::POST, "/services", Some(json!({"service": {"type": "identity-root", "name": "keystone-root"}})))
        .await;
    assert_eq!(st, 201, "{svc}");
    let sid = svc["service"]["id"].as_str().expect("id").to_owned();
    let (st, ep) = ks
        .api(
            Method::POST,
            "/endpoints",
            Some(json!({"endpoint": {"service_id": sid, "interface": "public", "region_id": "RegionOne", "url": ks.root}})),
        )
        .await;
    assert_eq!(st, 201, "{ep}");
    let s = admin_session(&ks.url);
    let d = s.endpoint_data(&EndpointFilter::new("identity-root"), Some(&spec("3"))).await.expect("discovered");
    assert_eq!(d.catalog_url, ks.root);
    assert_eq!(d.url.trim_end_matches('/'), ks.url, "the versioned URL from the root's document");
    let a = Adapter::new(&s).service_type("identity-root").version(spec("3"));
    let r = a.get("/projects").await.expect("projects");
    assert_eq!(r.status, 200);
    assert!(r.url.starts_with(&format!("{}/projects", ks.url)), "{}", r.url);
}
