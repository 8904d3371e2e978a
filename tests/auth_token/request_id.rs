//! Request ids end to end: a caller's `X-OpenStack-Request-ID` goes through
//! the auth_token layer into the `UserContext`, and the handler's calls on
//! the caller's behalf ([`UserContext::adapter`]) carry it to the next
//! service, a real local HTTP server; that service's own request id comes
//! back on the Response. A malformed id is dropped, as oslo.middleware does.

use crate::common;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use common::server::{Recorded, Reply, TestServer};
use http_body_util::BodyExt;
use serde_json::json;
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, UserContext};
use stackauth::session::{Adapter, GlobalRequestId, Session};
use tower::ServiceExt;

const ID: &str = "req-0123abcd-4567-89ef-aaaa-0123456789ab";

/// Calls the image service as the caller; answers with the id the caller
/// sent and the one the image service returned.
async fn images(State(session): State<Session>, Extension(caller): Extension<UserContext>) -> (StatusCode, String) {
    let Some(image) = caller.adapter(&session) else { return (StatusCode::UNAUTHORIZED, String::new()) };
    match image.service_type("image").get("/v2/images").await {
        Ok(r) => (
            StatusCode::OK,
            json!({
                "caller_global_id": caller.global_request_id().map(|i| i.as_str().to_owned()),
                "image_request_id": r.request_id(),
            })
            .to_string(),
        ),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()),
    }
}

async fn setup() -> (TestServer, Router) {
    stackauth::auth::transport::install_crypto_provider();
    let glance = TestServer::start(|_: &Recorded| {
        Reply::json(200, json!({"images": []})).header("x-openstack-request-id", "req-glance-own")
    })
    .await;
    let tokens = common::alice_with_image(glance.url().as_str());
    let layer = AuthTokenLayer::with_source(tokens, AuthTokenConfig::default()).expect("layer");
    let session = Session::builder().build().expect("session");
    let app = Router::new().route("/images", get(images)).layer(layer).with_state(session);
    (glance, app)
}

async fn call(app: &Router, id: Option<&str>) -> serde_json::Value {
    let mut req = Request::builder().uri("/images").header("X-Auth-Token", "alice-token");
    if let Some(id) = id {
        req = req.header("X-OpenStack-Request-ID", id);
    }
    let resp = app.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&body).expect("json")
}

#[tokio::test]
async fn the_caller_s_global_request_id_reaches_the_next_service() {
    let (glance, app) = setup().await;
    let seen = call(&app, Some(ID)).await;
    assert_eq!(seen["caller_global_id"], ID);
    assert_eq!(seen["image_request_id"], "req-glance-own", "the next service's own id, on the Response");
    let sent = glance.requests().pop().expect("glance was called");
    assert_eq!(sent.header("x-auth-token"), Some("alice-token"));
    assert_eq!(sent.header("x-openstack-request-id"), Some(ID), "the same id, carried on");
}

#[tokio::test]
async fn a_malformed_or_missing_id_is_not_carried_on() {
    let (glance, app) = setup().await;
    for bad in [None, Some("req-not-a-uuid"), Some("REQ-0123ABCD-4567-89EF-AAAA-0123456789AB"), Some("anything")] {
        let seen = call(&app, bad).await;
        assert_eq!(seen["caller_global_id"], serde_json::Value::Null, "{bad:?}");
        let sent = glance.requests().pop().expect("glance was called");
        assert_eq!(sent.header("x-openstack-request-id"), None, "{bad:?}");
    }
}

#[tokio::test]
async fn a_request_s_own_id_beats_the_adapter_s() {
    let server = TestServer::start(|_: &Recorded| Reply::json(200, json!({}))).await;
    let session = Session::builder().build().expect("session");
    let adapter_id = GlobalRequestId::parse(ID).expect("id");
    let own = GlobalRequestId::parse("req-ffffffff-4567-89ef-aaaa-0123456789ab").expect("id");
    let a = Adapter::new(&session).endpoint_override(&server.url()).global_request_id(&adapter_id);
    a.get("/a").await.expect("a");
    a.send(a.request(reqwest::Method::GET, "/b").global_request_id(&own)).await.expect("b");
    // A plain session request sends none.
    session.send(stackauth::session::Request::get(format!("{}/c", server.url()))).await.expect("c");
    let seen: Vec<Option<String>> =
        server.requests().iter().map(|r| r.header("x-openstack-request-id").map(str::to_owned)).collect();
    assert_eq!(seen, [Some(ID.to_owned()), Some(own.to_string()), None]);
}

#[test]
fn the_context_keeps_the_id_through_serde() {
    // A worker that got the context over a queue carries the id on too; a
    // tampered id is refused when the context is read.
    let ctx: UserContext = serde_json::from_value(json!({
        "status": "Confirmed", "user": null, "service_status": null, "service": null,
        "global_request_id": ID,
    }))
    .expect("context");
    assert_eq!(ctx.global_request_id().map(|i| i.as_str()), Some(ID));
    let tampered = serde_json::from_value::<UserContext>(json!({
        "status": "Confirmed", "user": null, "service_status": null, "service": null,
        "global_request_id": "req-x",
    }));
    assert!(tampered.is_err());
}
