//! A handler behind the layer calls another service as its caller: through
//! the caller's catalog, with the caller's token, and (with
//! `auth_plugin_with_service_token`) the service's own token as
//! `X-Service-Token`, as keystonemiddleware's `keystone.token_auth` does.
//! The other service and the identity service are real local HTTP servers.

use crate::common;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use common::server::{Recorded, Reply, TestServer};
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, UserContext};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Session};
use tower::ServiceExt;

#[derive(Clone)]
struct App {
    session: Session,
    with_service_token: bool,
}

async fn images(State(app): State<App>, Extension(caller): Extension<UserContext>) -> (StatusCode, String) {
    let plugin =
        if app.with_service_token { caller.auth_plugin_with_service_token(&app.session) } else { caller.auth_plugin() };
    let Some(plugin) = plugin else { return (StatusCode::UNAUTHORIZED, String::new()) };
    let image = Adapter::new(&app.session).auth(plugin).service_type("image");
    match image.get("/v2/images").await {
        Ok(r) => (StatusCode::OK, String::from_utf8_lossy(&r.body).into_owned()),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()),
    }
}

#[tokio::test]
async fn the_caller_s_token_and_catalog_and_the_service_s_own_token() {
    stackauth::auth::transport::install_crypto_provider();
    // The "image service" the caller's catalog points to, and the identity
    // service this service logs in to as itself.
    let glance = TestServer::start(|_: &Recorded| Reply::json(200, json!({"images": []}))).await;
    let keystone = TestServer::start(|r: &Recorded| {
        if r.method == "POST" {
            return Reply::json(
                201,
                json!({"token": {"expires_at": "2099-01-01T00:00:00Z", "user": {"id": "nova-id"},
                "methods": ["password"], "roles": [{"name": "service"}], "catalog": []}}),
            )
            .header("X-Subject-Token", "nova-own-token");
        }
        Reply::empty(404)
    })
    .await;
    let me = AuthMethod::Password { user: UserRef::Id("nova-id".into()), password: Secret::new("p") };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", keystone.url()), vec![me], Scope::Default).into_plugin();
    let session = Session::builder().auth(plugin).build().expect("session");

    let tokens = common::alice_with_image(glance.url().as_str());
    let layer = AuthTokenLayer::with_source(tokens, AuthTokenConfig::default()).expect("layer");
    for with_service_token in [false, true] {
        let app = Router::new()
            .route("/images", get(images))
            .layer(layer.clone())
            .with_state(App { session: session.clone(), with_service_token });
        let req = Request::builder().uri("/images").header("X-Auth-Token", "alice-token").body(Body::empty());
        let resp = app.oneshot(req.expect("request")).await.expect("infallible");
        assert_eq!(resp.status(), StatusCode::OK);
        let seen = glance.requests().pop().expect("glance was called");
        assert_eq!(seen.path, "/v2/images", "found through the caller's catalog");
        assert_eq!(seen.header("x-auth-token"), Some("alice-token"), "as the caller");
        let service = seen.header("x-service-token");
        if with_service_token {
            assert_eq!(service, Some("nova-own-token"), "with the service's own token");
        } else {
            assert_eq!(service, None);
        }
    }
    assert_eq!(keystone.requests().len(), 1, "the service's own token fetched once");
}
