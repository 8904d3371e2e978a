//! Logs at TRACE show tokens only as `{SHA256}<hex>`. Alone in its test
//! binary: tracing's callsite cache is process-wide, and other tests'
//! threads would otherwise race the subscriber.

mod common;

use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Session};

#[tokio::test]
async fn tokens_in_logs_only_as_sha256() {
    let buf = common::logs::capture(tracing::Level::TRACE);
    let server = TestServer::start(|r: &Recorded| {
        let host = format!("http://{}", r.header("host").unwrap_or(""));
        if r.method == "POST" {
            return Reply::json(201, json!({"token": {
                "expires_at": "2099-01-01T00:00:00Z", "user": {"id": "u1"}, "methods": ["password"],
                "catalog": [{"type": "compute", "endpoints": [{"interface": "public", "url": format!("{host}/compute")}]}]
            }}))
            .header("X-Subject-Token", "tok-1");
        }
        Reply::json(200, json!({})).header("x-openstack-request-id", "req-1")
    })
    .await;
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("s3cret-pw") };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", server.url()), vec![m], Scope::Default).into_plugin();
    let s = Session::builder().auth(plugin).build().expect("session");
    Adapter::new(&s).service_type("compute").get("/servers").await.expect("ok");
    let log = buf.text();
    let hash = common::token_hash("tok-1");
    assert!(log.contains(&hash), "{log}");
    assert!(log.contains("status=200") && log.contains("req-1"), "{log}");
    assert!(!log.contains("tok-1"), "{log}");
    assert!(!log.contains("s3cret-pw"), "{log}");
}
