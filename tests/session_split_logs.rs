//! `split_loggers` and global request ids in the logs. With split_loggers
//! the request, the response and its body go to their own tracing targets
//! (`stackauth::session::request`, `::response`, `::body`, as keystoneauth's
//! `keystoneauth.session.request`/`.response`/`.body` loggers), a body's
//! secrets masked; without it, one line per request as before. Both sides
//! of a call made on a caller's behalf name the caller's global request
//! id. Alone in its test binary: the log subscriber is process-wide.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::auth::SessionOptions;
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, UserContext};
use stackauth::session::{Adapter, GlobalRequestId, Session};
use tower::ServiceExt;

const ID: &str = "req-0123abcd-4567-89ef-aaaa-0123456789ab";

/// The log lines that mention `needle`.
fn lines<'a>(log: &'a str, needle: &str) -> Vec<&'a str> {
    log.lines().filter(|l| l.contains(needle)).collect()
}

async fn images(State(session): State<Session>, Extension(caller): Extension<UserContext>) -> StatusCode {
    let Some(image) = caller.adapter(&session) else { return StatusCode::UNAUTHORIZED };
    tracing::info!("handler calling the image service");
    match image.service_type("image").get("/v2/images").await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

#[tokio::test]
async fn split_loggers_and_global_ids_in_the_logs() {
    let buf = common::logs::capture(tracing::Level::DEBUG);
    stackauth::auth::transport::install_crypto_provider();
    let server = TestServer::start(|r: &Recorded| {
        Reply::json(200, json!({"application_credential": {"secret": "s3cret-app"}, "name": "visible", "path": r.path}))
            .header("x-openstack-request-id", "req-from-server")
    })
    .await;
    let id = GlobalRequestId::parse(ID).expect("id");

    // split_loggers on: three targets, no single line.
    let split = {
        let mut built = SessionOptions::default();
        built.split_loggers = true;
        built
    };
    let s = Session::builder().options(split).build().expect("session");
    Adapter::new(&s).endpoint_override(&server.url()).global_request_id(&id).get("/split").await.expect("ok");
    let log = buf.text();
    let mine = lines(&log, "/split");
    let req = lines(&log, "stackauth::session::request:");
    let resp = lines(&log, "stackauth::session::response:");
    let body = lines(&log, "stackauth::session::body:");
    assert!(req.len() == 1 && req[0].contains("REQ") && req[0].contains(ID), "{log}");
    assert!(resp.len() == 1 && resp[0].contains("status=200") && resp[0].contains("req-from-server"), "{log}");
    assert!(resp[0].contains(ID), "{log}");
    assert!(body.len() == 1 && body[0].contains("visible") && body[0].contains(ID), "{log}");
    assert!(!log.contains("s3cret-app"), "a secret in a body is masked: {log}");
    assert_eq!(mine.len(), 3, "only the three split lines: {log}");

    // From a config group (keystoneauth's `split_loggers` option).
    let dir = common::Dir::new();
    let conf =
        dir.write("svc.conf", format!("[svc]\nauth_type = none\nendpoint = {}\nsplit_loggers = true\n", server.url()));
    let reg = stackauth::opt::Registry::new();
    let loaded = stackauth::auth::load_from_group(
        &stackauth::Loader::new(&reg).config_file(&conf),
        &stackauth::auth::PluginRegistry::builtin(),
        "svc",
    )
    .expect("loads");
    let s = Session::from_loaded(&loaded).expect("session");
    Adapter::new(&s).get("/from-config").await.expect("ok");
    let log = buf.text();
    let from_config = lines(&log, "/from-config");
    assert_eq!(from_config.len(), 3, "{log}");
    assert!(from_config[0].contains("stackauth::session::request:"), "{log}");

    // split_loggers off: one line, in the session's own target, no body.
    let s = Session::builder().build().expect("session");
    Adapter::new(&s).endpoint_override(&server.url()).global_request_id(&id).get("/single").await.expect("ok");
    let log = buf.text();
    let single = lines(&log, "/single");
    assert_eq!(single.len(), 1, "{log}");
    assert!(single[0].contains("stackauth::session::core:") && single[0].contains(ID), "{log}");
    assert!(single[0].contains("req-from-server"), "{log}");
    assert_eq!(lines(&log, "stackauth::session::body:").len(), 2, "no new body line: {log}");

    // Through the auth_token layer: the layer's lines and the handler's
    // (its own, and its session's) name the caller's id.
    let tokens = common::alice_with_image(server.url().as_str());
    let layer = AuthTokenLayer::with_source(tokens, AuthTokenConfig::default()).expect("layer");
    let app = Router::new().route("/images", get(images)).layer(layer).with_state(s);
    let req = Request::builder()
        .uri("/images")
        .header("X-Auth-Token", "alice-token")
        .header("X-OpenStack-Request-ID", ID)
        .body(Body::empty())
        .expect("request");
    assert_eq!(app.clone().oneshot(req).await.expect("infallible").status(), StatusCode::OK);
    let log = buf.text();
    for what in ["request authenticated", "handler calling the image service", "/v2/images"] {
        let l = lines(&log, what);
        assert!(l.len() == 1 && l[0].contains(ID), "{what}: {log}");
    }
    // A malformed id is said to be ignored, and is not in the log.
    let req = Request::builder()
        .uri("/images")
        .header("X-Auth-Token", "alice-token")
        .header("X-OpenStack-Request-ID", "req-forged-by-the-caller")
        .body(Body::empty())
        .expect("request");
    assert_eq!(app.oneshot(req).await.expect("infallible").status(), StatusCode::OK);
    let log = buf.text();
    assert_eq!(lines(&log, "ignoring an X-OpenStack-Request-ID").len(), 1, "{log}");
    assert!(!log.contains("req-forged-by-the-caller"), "{log}");
}
