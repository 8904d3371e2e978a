//! A Session over an `HttpClient` of the application's own: every request,
//! the auth plugin's token request included, goes through it as `http`
//! crate types; the Session still follows redirects (keeping the token to
//! its origin), retries and re-authenticates itself. The client here is an
//! in-process double: what is under test is the plug-in point, not HTTP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::transport::{BoxFuture, HttpClient, TransportError};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Request, Session};

/// What the client saw: method, URI, X-Auth-Token, timeout.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>, Option<Duration>)>>>;

/// Answers Keystone's token request and a small service at
/// `https://svc.example`, whose `/old` redirects to `https://elsewhere.example/new`.
struct Double {
    seen: Seen,
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.as_bytes().to_vec()).expect("a valid response")
}

impl HttpClient for Double {
    fn execute(
        &self,
        req: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, TransportError>> {
        let token = req.headers().get("x-auth-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        self.seen.lock().expect("lock").push((req.method().to_string(), req.uri().to_string(), token, timeout));
        let reply = match (req.method().as_str(), req.uri().to_string().as_str()) {
            ("POST", "https://keystone.example/v3/auth/tokens") => {
                let body: serde_json::Value = serde_json::from_slice(req.body()).expect("a JSON token request");
                assert_eq!(body["auth"]["identity"]["password"]["user"]["password"], "pw");
                assert_eq!(req.headers()["content-type"], "application/json");
                let token = serde_json::json!({"token": {
                    "methods": ["password"], "expires_at": "2099-01-01T00:00:00Z",
                    "user": {"id": "u1", "name": "u1", "domain": {"id": "default"}},
                    "project": {"id": "p1", "name": "p", "domain": {"id": "default"}},
                    "catalog": [{"type": "image", "name": "glance", "endpoints": [
                        {"interface": "public", "region_id": "R", "url": "https://svc.example"}]}]
                }});
                response(201, &[("x-subject-token", "tok-1"), ("content-type", "application/json")], &token.to_string())
            }
            ("GET", "https://svc.example/images") => response(200, &[], r#"{"images": []}"#),
            ("GET", "https://svc.example/old") => response(302, &[("location", "https://elsewhere.example/new")], ""),
            ("GET", "https://elsewhere.example/new") => response(200, &[], "moved"),
            (m, u) => response(404, &[], &format!("no {m} {u}")),
        };
        Box::pin(async move { Ok(reply) })
    }
}

#[tokio::test]
async fn a_session_sends_everything_through_the_applications_client() {
    let seen: Seen = Arc::default();
    let plugin = V3Auth::new(
        "v3password",
        "https://keystone.example/v3",
        vec![AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") }],
        Scope::ProjectId("p1".into()),
    )
    .into_plugin();
    let s = Session::builder().auth(plugin).http_client(Double { seen: seen.clone() }).build().expect("session");
    let image = Adapter::new(&s).service_type("image");
    let r = image.get("/images").await.expect("answered");
    assert_eq!((r.status, r.body.as_slice()), (200, br#"{"images": []}"#.as_slice()));
    let r = s.send(Request::get("https://svc.example/old").timeout(Duration::from_secs(7))).await.expect("followed");
    assert_eq!((r.status, r.url.as_str()), (200, "https://elsewhere.example/new"));
    let seen = seen.lock().expect("lock").clone();
    let tok = Some("tok-1".to_owned());
    assert_eq!(
        seen,
        [
            ("POST".into(), "https://keystone.example/v3/auth/tokens".into(), None, None),
            ("GET".into(), "https://svc.example/images".into(), tok.clone(), None),
            ("GET".into(), "https://svc.example/old".into(), tok, Some(Duration::from_secs(7))),
            // The Session followed the redirect; the token stayed home.
            ("GET".into(), "https://elsewhere.example/new".into(), None, Some(Duration::from_secs(7))),
        ]
    );
}
