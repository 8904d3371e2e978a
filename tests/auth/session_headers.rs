//! Session-wide headers and the user agent, compared with what the real
//! keystoneauth1 (the tests' venv) sends to the same local server: the
//! same settings must give the same `User-Agent` (keystoneauth's own
//! `keystoneauth1/... python-requests/... CPython/...` tail replaced by
//! `stackauth/<version>`), the same additional headers and the same
//! `X-OpenStack-Request-ID`.

use crate::common;

use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::session::{Adapter, GlobalRequestId, Request, Session};

const ID: &str = "req-0123abcd-4567-89ef-aaaa-0123456789ab";
const LIB: &str = concat!("stackauth/", env!("CARGO_PKG_VERSION"));

/// keystoneauth's requests to `url`, one per case, and its DEFAULT_USER_AGENT.
const PY: &str = r#"
import sys
from keystoneauth1 import session, adapter
url = sys.argv[1]
ID = "req-0123abcd-4567-89ef-aaaa-0123456789ab"
extra = [("a", "1"), ("b", "2")]
# 1: application, client, additional agents
s = session.Session(app_name="app", app_version="1", additional_user_agent=extra)
adapter.Adapter(s, client_name="cli", client_version="2", endpoint_override=url).get("/1")
# 2: additional agents only
session.Session(additional_user_agent=extra).get(url + "/2")
# 3: a session-wide user agent: application and client are left out
s = session.Session(user_agent="mine/3", app_name="app", app_version="1", additional_user_agent=extra)
adapter.Adapter(s, client_name="cli", client_version="2", endpoint_override=url).get("/3")
# 4: a request's own user agent, whole
session.Session(app_name="app", app_version="1").get(url + "/4", user_agent="whole/4")
# 5: additional headers: a request's own header wins; an adapter's id
s = session.Session(app_name="app", app_version="1", additional_headers={"X-Extra": "session", "X-Other": "o"})
a = adapter.Adapter(s, endpoint_override=url, global_request_id=ID)
a.get("/5", headers={"X-Extra": "request"})
# 6: a request's own id beats the adapter's
a.get("/6", global_request_id="req-ffffffff-4567-89ef-aaaa-0123456789ab")
# 7: a User-Agent header of the request's own is kept, alone
session.Session(app_name="app", app_version="1").get(url + "/7", headers={"User-Agent": "hdr/7"})
print(session.DEFAULT_USER_AGENT)
"#;

async fn stackauth_requests(url: &str) {
    let s = Session::builder().app("app", "1").additional_user_agent("a", "1").additional_user_agent("b", "2");
    let s = s.build().expect("session");
    Adapter::new(&s).client("cli", "2").endpoint_override(url).get("/1").await.expect("1");
    let s = Session::builder().additional_user_agent("a", "1").additional_user_agent("b", "2").build().expect("s");
    s.send(Request::get(format!("{url}/2"))).await.expect("2");
    let s = Session::builder()
        .user_agent("mine/3")
        .app("app", "1")
        .additional_user_agent("a", "1")
        .additional_user_agent("b", "2")
        .build()
        .expect("s");
    Adapter::new(&s).client("cli", "2").endpoint_override(url).get("/3").await.expect("3");
    let s = Session::builder().app("app", "1").build().expect("s");
    s.send(Request::get(format!("{url}/4")).user_agent("whole/4")).await.expect("4");
    let s = Session::builder()
        .app("app", "1")
        .additional_header("X-Extra", "session")
        .additional_header("X-Other", "o")
        .build()
        .expect("s");
    let a = Adapter::new(&s).endpoint_override(url).global_request_id(&GlobalRequestId::parse(ID).expect("id"));
    a.send(a.request(reqwest::Method::GET, "/5").header("X-Extra", "request")).await.expect("5");
    let own = GlobalRequestId::parse("req-ffffffff-4567-89ef-aaaa-0123456789ab").expect("id");
    a.send(a.request(reqwest::Method::GET, "/6").global_request_id(&own)).await.expect("6");
    let s = Session::builder().app("app", "1").build().expect("s");
    s.send(Request::get(format!("{url}/7")).header("User-Agent", "hdr/7")).await.expect("7");
}

/// What a comparison looks at: path, user agent(s), the extra headers, the id.
fn seen(r: &Recorded) -> serde_json::Value {
    let agents: Vec<&str> =
        r.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("user-agent")).map(|(_, v)| v.as_str()).collect();
    let ua = if agents.len() == 1 { json!(agents[0]) } else { json!(agents) };
    json!([r.path, ua, r.header("x-extra"), r.header("x-other"), r.header("x-openstack-request-id")])
}

#[tokio::test]
async fn the_same_headers_and_user_agent_as_keystoneauth() {
    let Some(python) = common::python::venv_python("keystoneauth1 user agent comparison") else { return };
    let server = TestServer::start(|_: &Recorded| Reply::json(200, json!({}))).await;
    let url = server.url();
    let (py, u) = (python.to_owned(), url.clone());
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(py).arg("-c").arg(PY).arg(u).output())
        .await
        .expect("join")
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let default_ua = String::from_utf8(out.stdout).expect("utf-8").trim().to_owned();
    assert!(default_ua.starts_with("keystoneauth1/"), "{default_ua}");
    let theirs: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .map(|r| {
            let mut v = seen(r);
            // Their library's tail, ours instead.
            if let Some(ua) = v[1].as_str() {
                v[1] = json!(ua.replace(&default_ua, LIB));
            }
            v
        })
        .collect();
    assert_eq!(theirs.len(), 7, "{theirs:?}");
    let before = server.requests().len();
    stackauth_requests(&url).await;
    let ours: Vec<serde_json::Value> = server.requests()[before..].iter().map(seen).collect();
    assert_eq!(ours, theirs);
    // Spelled out, so the comparison cannot pass by both being wrong.
    assert_eq!(ours[0][1], format!("app/1 cli/2 a/1 b/2 {LIB}"));
    assert_eq!(ours[2][1], format!("mine/3 {LIB}"));
    assert_eq!(ours[3][1], "whole/4");
    assert_eq!(ours[6][1], "hdr/7", "one User-Agent, the request's");
    assert_eq!(ours[4], json!(["/5", format!("app/1 {LIB}"), "request", "o", ID]));
}

#[test]
fn an_additional_header_that_is_not_http_is_refused_at_build() {
    let err = Session::builder().additional_header("X-Bad", "a\nb").build().expect_err("refused");
    assert!(err.to_string().contains("X-Bad"), "{err}");
    let err = Session::builder().additional_header("bad name", "v").build().expect_err("refused");
    assert!(err.to_string().contains("bad name"), "{err}");
}

#[tokio::test]
async fn additional_headers_do_not_follow_a_redirect_to_another_origin_when_they_are_credentials() {
    let other = TestServer::start(|_: &Recorded| Reply::json(200, json!({}))).await;
    let target = format!("{}/landed", other.url());
    let first = TestServer::start(move |_: &Recorded| Reply::empty(302).header("Location", &target)).await;
    let s = Session::builder()
        .additional_header("X-Auth-Token", "session-secret")
        .additional_header("X-Extra", "e")
        .build()
        .expect("s");
    s.send(Request::get(format!("{}/start", first.url()))).await.expect("followed");
    let at_first = first.requests().pop().expect("first");
    assert_eq!(at_first.header("x-auth-token"), Some("session-secret"));
    let landed = other.requests().pop().expect("other");
    assert_eq!(landed.header("x-auth-token"), None, "a credential stays with its origin");
    assert_eq!(landed.header("x-extra"), Some("e"));
}

#[tokio::test]
async fn global_request_ids_accepted_as_oslo_middleware_accepts_them() {
    let Some(python) = common::python::venv_python("oslo.middleware request id comparison") else { return };
    // (Python's `$` also matches before a final newline; a header value
    // cannot hold one, so that case is left out.)
    let candidates = [
        ID,
        "req-0123ABCD-4567-89ef-aaaa-0123456789ab",
        "req-0123abcd-4567-89ef-aaaa-0123456789ab0",
        "req-0123abcd-4567-89ef-aaaa-0123456789a",
        "req-0123abcd4567-89ef-aaaa-0123456789abc",
        "req-0123abcd-4567-89ef-aaaa-0123456789ag",
        "0123abcd-4567-89ef-aaaa-0123456789ab",
        "REQ-0123abcd-4567-89ef-aaaa-0123456789ab",
        " req-0123abcd-4567-89ef-aaaa-0123456789ab",
        "req-0123abcd-4567-89ef-aaaa-0123456789ab ",
        "req-",
        "",
        "req-00000000-0000-0000-0000-000000000000",
        "req-ffffffff-ffff-ffff-ffff-ffffffffffff",
    ];
    let py = "import json, re, sys\nfrom oslo_middleware import request_id as r\n\
              print(json.dumps([bool(re.match(r.ID_FORMAT, c)) for c in json.loads(sys.argv[1])]))";
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(py)
        .arg(serde_json::to_string(&candidates).expect("json"))
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<bool> = serde_json::from_slice(&out.stdout).expect("json");
    let ours: Vec<bool> = candidates.iter().map(|c| GlobalRequestId::parse(c).is_ok()).collect();
    assert_eq!(ours, theirs, "{candidates:?}");
    assert!(theirs.iter().filter(|b| **b).count() == 3, "the comparison covers both answers");
}
