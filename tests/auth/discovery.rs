//! Version discovery against a local server that publishes version
//! documents in the shapes of real services (from their API references):
//! Keystone, Nova (microversions), Glance, Cinder, Placement.

use crate::common;

use std::sync::Arc;

use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::{EndpointFilter, Interface};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Allow, DiscoveryOptions, Request, Session, SessionError, Version, VersionSpec};

const PROJECT: &str = "4f1a9c2e8d7b4a6c";

fn docs(host: &str, path: &str) -> Option<Reply> {
    let h = format!("http://{host}");
    // A service answers its root with or without the trailing slash.
    let path = if path.ends_with('/') { path.to_owned() } else { format!("{path}/") };
    Some(match path.as_str() {
        "/identity/" => Reply::json(
            300,
            json!({"versions": {"values": [
            {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
             "links": [{"rel": "self", "href": format!("{h}/identity/v3/")}]}]}}),
        ),
        "/compute/" => Reply::json(
            200,
            json!({"versions": [
            {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
             "links": [{"rel": "self", "href": format!("{h}/compute/v2/")}]},
            {"id": "v2.1", "status": "CURRENT", "version": "2.95", "min_version": "2.1",
             "links": [{"rel": "self", "href": format!("{h}/compute/v2.1/")}]}]}),
        ),
        "/image/" => Reply::json(
            300,
            json!({"versions": [
            {"id": "v2.17", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{h}/image/v2/")}]},
            {"id": "v2.16", "status": "SUPPORTED", "links": [{"rel": "self", "href": format!("{h}/image/v2/")}]},
            {"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": format!("{h}/image/v2/")}]}]}),
        ),
        "/volume/" => Reply::json(
            300,
            json!({"versions": [
            {"id": "v3.0", "status": "CURRENT", "version": "3.71", "min_version": "3.0",
             "links": [{"href": format!("{h}/volume/v3/"), "rel": "self"}]}]}),
        ),
        "/placement/" => Reply::json(
            200,
            json!({"versions": [
            {"id": "v1.0", "max_version": "1.39", "min_version": "1.0", "status": "CURRENT",
             "links": [{"rel": "self", "href": ""}]}]}),
        ),
        "/dns/" => Reply::json(
            200,
            json!({"versions": [
            {"id": "v3", "status": "DEPRECATED", "links": [{"rel": "self", "href": format!("{h}/dns/v3/")}]},
            {"id": "v2", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{h}/dns/v2/")}]},
            {"id": "v4", "status": "EXPERIMENTAL", "links": [{"rel": "self", "href": format!("{h}/dns/v4/")}]}]}),
        ),
        // Not a real service's document: a status keystoneauth does not know.
        "/beta/" => Reply::json(
            200,
            json!({"versions": [
            {"id": "v1.0", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{h}/beta/v1/")}]},
            {"id": "v2.0", "status": "BETA", "links": [{"rel": "self", "href": format!("{h}/beta/v2/")}]}]}),
        ),
        _ => return None,
    })
}

async fn cloud() -> TestServer {
    TestServer::start(|r: &Recorded| {
        let host = r.header("host").unwrap_or("").to_owned();
        let h = format!("http://{host}");
        if r.method == "POST" {
            let ep = |t: &str, url: String| json!({"type": t, "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": url}]});
            return Reply::json(201, json!({"token": {
                "expires_at": "2099-01-01T00:00:00Z", "methods": ["password"], "user": {"id": "u"},
                "project": {"id": PROJECT, "name": "p"},
                "catalog": [
                    ep("identity", format!("{h}/identity/v3")),
                    ep("compute", format!("{h}/compute/v2.1/{PROJECT}")),
                    ep("image", format!("{h}/image")),
                    ep("block-storage", format!("{h}/volume/v3/{PROJECT}")),
                    ep("placement", format!("{h}/placement")),
                    ep("dns", format!("{h}/dns")),
                    ep("beta", format!("{h}/beta")),
                    {"type": "volumev3", "endpoints": [
                        {"interface": "internal", "region_id": "RegionTwo", "url": format!("{h}/volume/v3/{PROJECT}")},
                        {"interface": "internal", "url": format!("{h}/volume/v3/{PROJECT}")}]},
                ]
            }}))
            .header("X-Subject-Token", "t");
        }
        if let Some(d) = docs(&host, &r.path) {
            return d;
        }
        Reply::json(200, json!({
            "path": r.path,
            "api_version": r.header("openstack-api-version"),
            "nova_version": r.header("x-openstack-nova-api-version"),
        }))
    })
    .await
}

fn session(s: &TestServer) -> Session {
    let m = AuthMethod::Password { user: UserRef::Id("u".into()), password: Secret::new("p") };
    let plugin = V3Auth::new("v3password", &format!("{}/identity/v3", s.url()), vec![m], Scope::Default).into_plugin();
    Session::builder().auth(plugin).build().expect("session")
}

fn v(s: &str) -> VersionSpec {
    VersionSpec::version(s.parse().expect("version"))
}

fn gets(s: &TestServer, path: &str) -> usize {
    let bare = path.trim_end_matches('/');
    s.requests().iter().filter(|r| r.method == "GET" && (r.path == path || r.path == bare)).count()
}

async fn body(a: &Adapter, req: Request) -> serde_json::Value {
    a.send(req).await.unwrap_or_else(|e| panic!("{e}")).json().expect("json")
}

#[tokio::test]
async fn keystone_from_a_versioned_catalog_url_discovered_once() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("identity").version(v("3"));
    for _ in 0..5 {
        let b = body(&a, a.request(reqwest::Method::GET, "/projects")).await;
        assert_eq!(b["path"], "/identity/v3/projects");
    }
    assert_eq!(gets(&s, "/identity/"), 1, "one discovery for five requests");
    let d = a.endpoint_data().await.expect("data");
    assert_eq!(d.api_version, Some(Version(3, 14)));
    assert_eq!(d.url, format!("{}/identity/v3/", s.url()));
}

#[tokio::test]
async fn nova_microversions_and_the_project_id_in_the_catalog_url() {
    let s = cloud().await;
    let sess = session(&s);
    let a = Adapter::new(&sess).service_type("compute").version(v("2.1"));
    let b = body(&a, a.request(reqwest::Method::GET, "/servers").microversion("2.60".parse().expect("mv"))).await;
    assert_eq!(b["path"], format!("/compute/v2.1/{PROJECT}/servers"));
    assert_eq!(b["api_version"], "compute 2.60");
    assert_eq!(b["nova_version"], "2.60");
    let d = a.endpoint_data().await.expect("data");
    assert_eq!((d.min_microversion, d.max_microversion), (Some(Version(2, 1)), Some(Version(2, 95))));
    let before = s.requests().len();
    let e = a
        .send(a.request(reqwest::Method::GET, "/servers").microversion("2.99".parse().expect("mv")))
        .await
        .expect_err("out of range");
    assert!(matches!(e, SessionError::Microversion(_)), "{e:?}");
    assert!(e.to_string().contains("offers microversions 2.1 to 2.95, not 2.99"), "{e}");
    assert_eq!(s.requests().len(), before, "nothing was sent");
    // The older major version, from the same document.
    let old = Adapter::new(&sess).service_type("compute").version(v("2.0"));
    assert_eq!(body(&old, old.request(reqwest::Method::GET, "/x")).await["path"], format!("/compute/v2.1/{PROJECT}/x"));
    let pinned = Adapter::new(&sess).service_type("compute").version(VersionSpec::between(None, Some(Version(2, 0))));
    assert_eq!(
        body(&pinned, pinned.request(reqwest::Method::GET, "/x")).await["path"],
        format!("/compute/v2/{PROJECT}/x")
    );
    assert_eq!(gets(&s, "/compute/"), 1);
}

#[tokio::test]
async fn glance_picks_the_highest_matching_version() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("image").version(v("2"));
    assert_eq!(body(&a, a.request(reqwest::Method::GET, "/images")).await["path"], "/image/v2/images");
    assert_eq!(a.endpoint_data().await.expect("data").api_version, Some(Version(2, 17)));
}

#[tokio::test]
async fn cinder_block_storage_keeps_its_project_and_says_volume() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("block-storage").version(v("3"));
    let b = body(&a, a.request(reqwest::Method::GET, "/volumes").microversion("3.50".parse().expect("mv"))).await;
    assert_eq!(b["path"], format!("/volume/v3/{PROJECT}/volumes"));
    assert_eq!(b["api_version"], "volume 3.50");
    assert!(b["nova_version"].is_null());
}

#[tokio::test]
async fn placement_with_an_empty_self_link_and_latest() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("placement").version(VersionSpec::version(Version::LATEST));
    let b = body(&a, a.request(reqwest::Method::GET, "/resource_providers").microversion("1.39".parse().expect("mv")))
        .await;
    assert_eq!(b["path"], "/placement/resource_providers");
    assert_eq!(b["api_version"], "placement 1.39");
}

#[tokio::test]
async fn deprecated_and_experimental_versions_are_left_out() {
    let s = cloud().await;
    let sess = session(&s);
    let d = sess
        .endpoint_data(&EndpointFilter::new("dns"), Some(&VersionSpec::version(Version::LATEST)))
        .await
        .expect("data");
    assert_eq!(d.api_version, Some(Version(2, 0)));
    let e = sess.endpoint_data(&EndpointFilter::new("dns"), Some(&v("3"))).await.expect_err("deprecated");
    assert!(
        e.to_string().contains("has no version matching 3.0; it offers: 3.0 DEPRECATED, 2.0 CURRENT, 4.0 EXPERIMENTAL"),
        "{e}"
    );
}

#[tokio::test]
async fn a_missing_version_names_what_is_offered() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("compute").version(v("3"));
    let e = a.get("/servers").await.expect_err("no v3");
    assert!(matches!(e, SessionError::VersionNotFound(_)));
    assert!(
        e.to_string().contains("compute at") && e.to_string().contains("it offers: 2.0 SUPPORTED, 2.1 CURRENT"),
        "{e}"
    );
}

#[tokio::test]
async fn is_available() {
    let s = cloud().await;
    let sess = session(&s);
    assert!(sess.is_available(&EndpointFilter::new("image"), Some(&v("2"))).await.expect("ok"));
    assert!(!sess.is_available(&EndpointFilter::new("image"), Some(&v("9"))).await.expect("ok"));
    assert!(!sess.is_available(&EndpointFilter::new("object-store"), None).await.expect("ok"));
    assert!(sess.is_available(&EndpointFilter::new("compute"), None).await.expect("ok"));
}

#[tokio::test]
async fn concurrent_requests_share_one_discovery_and_the_cache_expires() {
    let s = cloud().await;
    let a = Adapter::new(&session(&s)).service_type("image").version(v("2"));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let a = a.clone();
        tasks.push(tokio::spawn(async move { a.get("/images").await.map(|r| r.status) }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("request"), 200);
    }
    assert_eq!(gets(&s, "/image/"), 1);
    // With no time to live, every request discovers again.
    let m = AuthMethod::Password { user: UserRef::Id("u".into()), password: Secret::new("p") };
    let plugin = V3Auth::new("v3password", &format!("{}/identity/v3", s.url()), vec![m], Scope::Default).into_plugin();
    let fresh = Session::builder().auth(plugin).discovery_ttl(std::time::Duration::ZERO).build().expect("session");
    let b = Adapter::new(&fresh).service_type("image").version(v("2"));
    b.get("/images").await.expect("ok");
    b.get("/images").await.expect("ok");
    assert_eq!(gets(&s, "/image/"), 3);
    let _ = Arc::new(());
}

#[tokio::test]
async fn all_version_data_lists_every_endpoint_and_every_status() {
    let s = cloud().await;
    let sess = session(&s);
    let all = sess.all_version_data(&[], None, None).await.expect("data");
    let summary: Vec<String> = all
        .iter()
        .map(|e| {
            let vs: Vec<String> = e.versions.iter().map(|v| format!("{} {}", v.version, v.status)).collect();
            format!("{} {} {}: {}", e.service_type, e.interface.as_str(), e.region, vs.join(", "))
        })
        .collect();
    assert_eq!(
        summary,
        [
            "identity public RegionOne: 3.14 CURRENT",
            "compute public RegionOne: 2.0 SUPPORTED, 2.1 CURRENT",
            "image public RegionOne: 2.17 CURRENT, 2.16 SUPPORTED, 2.0 SUPPORTED",
            "block-storage public RegionOne: 3.0 CURRENT",
            "placement public RegionOne: 1.0 CURRENT",
            "dns public RegionOne: 3.0 DEPRECATED, 2.0 CURRENT, 4.0 EXPERIMENTAL",
            "beta public RegionOne: 1.0 CURRENT, 2.0 BETA",
            // volumev3, by its official type; the endpoint with no region is left out.
            "block-storage internal RegionTwo: 3.0 CURRENT",
        ]
    );
    let compute = &all[1];
    assert_eq!(compute.versions[1].url, format!("{}/compute/v2.1/{PROJECT}", s.url()), "the project id kept");
    assert_eq!(
        (compute.versions[1].min_microversion, compute.versions[1].max_microversion),
        (Some(Version(2, 1)), Some(Version(2, 95)))
    );
    let volume =
        sess.all_version_data(&[Interface::Internal], Some("RegionTwo"), Some("block-storage")).await.expect("data");
    assert_eq!(volume.len(), 1);
    assert_eq!(volume[0].url, format!("{}/volume/v3/{PROJECT}", s.url()));
    assert!(sess.all_version_data(&[Interface::Admin], None, None).await.expect("data").is_empty());
    let paths: Vec<String> = s.requests().iter().filter(|r| r.method == "GET").map(|r| r.path.clone()).collect();
    assert_eq!(gets(&s, "/volume/"), 1, "one discovery per catalog URL: {paths:?}");
}

#[tokio::test]
async fn deprecated_experimental_and_unknown_versions_when_allowed() {
    let s = cloud().await;
    let sess = session(&s);
    let dns = EndpointFilter::new("dns");
    let deprecated = DiscoveryOptions::default().allow(Allow::default().deprecated(true));
    let d = sess.endpoint_data_with(&dns, Some(&v("3")), &deprecated).await.expect("deprecated allowed");
    assert_eq!((d.api_version, d.url.as_str()), (Some(Version(3, 0)), format!("{}/dns/v3/", s.url()).as_str()));
    assert!(sess.endpoint_data_with(&dns, Some(&v("4")), &deprecated).await.is_err(), "experimental still not");
    let all = DiscoveryOptions::default().allow(Allow::all());
    let latest = VersionSpec::version(Version::LATEST);
    assert_eq!(
        sess.endpoint_data_with(&dns, Some(&latest), &all).await.expect("data").api_version,
        Some(Version(4, 0))
    );
    // An unknown status is left out unless allowed, as in keystoneauth.
    let beta = EndpointFilter::new("beta");
    assert_eq!(sess.endpoint_data(&beta, Some(&latest)).await.expect("data").api_version, Some(Version(1, 0)));
    assert_eq!(
        sess.endpoint_data_with(&beta, Some(&latest), &all).await.expect("data").api_version,
        Some(Version(2, 0))
    );
    // Through an adapter, for its requests.
    let a = Adapter::new(&sess).service_type("dns").version(v("3")).discovery(deprecated);
    assert_eq!(body(&a, a.request(reqwest::Method::GET, "/zones")).await["path"], "/dns/v3/zones");
    let plain = Adapter::new(&sess).service_type("dns").version(v("3"));
    assert!(matches!(plain.get("/zones").await, Err(SessionError::VersionNotFound(_))));
}

#[tokio::test]
async fn the_version_hack_can_be_switched_off() {
    let s = cloud().await;
    let sess = session(&s);
    let off = DiscoveryOptions::default().version_hack(false);
    // The catalog URL names 2.1 and publishes no document of its own: usable for 2.1 only.
    let a = Adapter::new(&sess).service_type("compute").version(v("2.1")).discovery(off);
    assert_eq!(
        body(&a, a.request(reqwest::Method::GET, "/servers")).await["path"],
        format!("/compute/v2.1/{PROJECT}/servers")
    );
    let two_oh = VersionSpec::between(None, Some(Version(2, 0)));
    let old = Adapter::new(&sess).service_type("compute").version(two_oh).discovery(off);
    let e = old.get("/servers").await.expect_err("2.0 is only in the root document");
    assert!(matches!(e, SessionError::VersionNotFound(_)), "{e:?}");
    assert_eq!(gets(&s, "/compute/"), 0, "the root was never asked");
    // With the hack (the default), the root document has 2.0.
    let hack = Adapter::new(&sess).service_type("compute").version(two_oh);
    assert_eq!(body(&hack, hack.request(reqwest::Method::GET, "/x")).await["path"], format!("/compute/v2/{PROJECT}/x"));
    assert_eq!(gets(&s, "/compute/"), 1);
}

#[tokio::test]
async fn microversion_negotiation_against_the_service() {
    let s = cloud().await;
    let sess = session(&s);
    let mv = |t: &str| t.parse::<Version>().expect("microversion");
    let nova = Adapter::new(&sess).service_type("compute").version(v("2.1"));
    assert_eq!(nova.negotiate_microversion(None, mv("2.60")).await.expect("ok"), Some(mv("2.60")));
    assert_eq!(nova.negotiate_microversion(None, mv("2.120")).await.expect("ok"), Some(mv("2.95")));
    assert_eq!(nova.negotiate_microversion(None, Version::LATEST).await.expect("ok"), Some(mv("2.95")));
    assert_eq!(nova.negotiate_microversion(Some(mv("2.96")), mv("2.120")).await.expect("ok"), None);
    // Without a version of its own the adapter takes the latest: Nova's 2.1.
    let any = Adapter::new(&sess).service_type("placement");
    assert_eq!(any.negotiate_microversion(Some(mv("1.10")), mv("1.20")).await.expect("ok"), Some(mv("1.20")));
    let glance = Adapter::new(&sess).service_type("image");
    assert_eq!(glance.negotiate_microversion(None, mv("2.5")).await.expect("ok"), None, "no microversions");
    // What was negotiated is sent.
    let chosen = nova.negotiate_microversion(None, mv("2.79")).await.expect("ok").expect("a microversion");
    let b = body(&nova, nova.request(reqwest::Method::GET, "/servers").microversion(chosen)).await;
    assert_eq!(b["api_version"], "compute 2.79");
}

#[tokio::test]
async fn an_endpoint_override_is_discovered_at_that_url_only() {
    let s = cloud().await;
    let sess = session(&s);
    let root = format!("{}/image", s.url());
    let a = Adapter::new(&sess).service_type("image").endpoint_override(&root).version(v("2"));
    let d = a.endpoint_data().await.expect("data");
    assert_eq!((d.api_version, d.url.clone()), (Some(Version(2, 17)), format!("{}/image/v2/", s.url())));
    assert_eq!(d.catalog_url, root);
    // A versioned override publishes nothing itself: its own version, no root asked.
    let before = gets(&s, "/compute/");
    let pinned = format!("{}/compute/v2.1", s.url());
    let b = Adapter::new(&sess).service_type("compute").endpoint_override(&pinned).version(v("2.1"));
    assert_eq!(b.endpoint_data().await.expect("data").api_version, Some(Version(2, 1)));
    assert_eq!(gets(&s, "/compute/"), before, "the version hack is off for an override");
    // No version asked: the override as it is.
    let c = Adapter::new(&sess).service_type("image").endpoint_override(&root);
    assert_eq!(c.endpoint_data().await.expect("data").url, root);
}
