//! A version document whose link leaves the catalog URL's origin is warned
//! about (the token follows it; issue 17, item 3). Alone in its test binary
//! (the log subscriber is process-wide).

mod common;

use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::auth::Interface;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Session, VersionSpec};

#[tokio::test]
async fn a_version_link_to_another_origin_is_warned_about() {
    let buf = common::logs::capture(tracing::Level::WARN);
    let elsewhere = TestServer::start_on("127.0.0.2", |_: &Recorded| Reply::json(200, json!({"servers": []}))).await;
    let link = format!("{}/v2.1/", elsewhere.url());
    let service = TestServer::start(move |r: &Recorded| {
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/v3/auth/tokens") => Reply::json(
                201,
                json!({"token": {
                    "methods": ["password"], "expires_at": "2099-01-01T00:00:00Z",
                    "issued_at": common::iso8601(std::time::SystemTime::now()),
                    "user": {"id": "u1", "name": "u1", "domain": {"id": "default"}},
                    "project": {"id": "p1", "name": "p1", "domain": {"id": "default"}},
                    "roles": [{"name": "member"}], "audit_ids": ["a"],
                    "catalog": [{"type": "compute", "name": "nova", "endpoints": [
                        {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/v2.1")}
                    ]}]
                }}),
            )
            .header("X-Subject-Token", "service-secret-token"),
            _ => Reply::json(
                200,
                json!({"versions": [
                    {"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": link}]}
                ]}),
            ),
        }
    })
    .await;
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", service.url()), vec![m], Scope::ProjectId("p1".into()))
        .into_plugin();
    let s = Session::builder().auth(plugin).build().expect("session");
    let compute = Adapter::new(&s)
        .service_type("compute")
        .interfaces([Interface::Public])
        .version(VersionSpec::version("2.1".parse().expect("version")));
    let r = compute.get("/servers").await.expect("followed, as keystoneauth does");
    assert!(r.url.starts_with(&elsewhere.url()), "{}", r.url);
    let log = buf.text();
    assert!(log.contains("links to another origin"), "warned:\n{log}");
    assert!(!log.contains("service-secret-token"), "{log}");
}
