//! The auth_token layer in front of an axum service, validating against the
//! fixture token source: headers, statuses, service tokens, bind, access
//! rules, caching and single flight. (tests/live/auth_token.rs does the
//! same against a real Keystone; tests/auth_token/memcached.rs the shared
//! cache.)

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::Extension;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::any;
use http_body_util::BodyExt;
use serde_json::{Value as J, json};
use stackauth::auth_token::fixture::{FixtureTokens, V2Token, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, BindMode, RemoteUser, UserContext};
use tower::ServiceExt;

/// Echoes what the handler was given: the identity headers and the context.
async fn echo(headers: HeaderMap, ctx: Option<Extension<UserContext>>) -> axum::Json<J> {
    let h: serde_json::Map<String, J> = headers
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k.starts_with("x-") || k == "openstack-system-scope"
        })
        .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().unwrap_or("?"))))
        .collect();
    let ctx = ctx.map(|Extension(c)| {
        json!({
            "authenticated": c.is_authenticated(),
            "user_id": c.user_id(),
            "project_id": c.project_id(),
            "roles": c.roles(),
            "service_user": c.service().and_then(|s| s.user.ident.id.clone()),
        })
    });
    axum::Json(json!({"headers": h, "context": ctx}))
}

/// A handler that answers 401 itself (the layer adds `WWW-Authenticate`).
async fn refuse() -> StatusCode {
    StatusCode::UNAUTHORIZED
}

fn protected(tokens: Arc<FixtureTokens>, config: AuthTokenConfig) -> (Router, AuthTokenLayer) {
    let layer = AuthTokenLayer::with_source(tokens, config).expect("layer");
    (Router::new().route("/refuse", any(refuse)).route("/{*path}", any(echo)).layer(layer.clone()), layer)
}

fn tokens() -> Arc<FixtureTokens> {
    let t = FixtureTokens::new();
    t.add(
        "alice-token",
        V3Token::new("alice-id")
            .user("alice", "default", "Default")
            .project("proj-id", "demo")
            .role("member")
            .role("reader")
            .service(
                "image",
                "glance",
                [("public", "http://glance.example/"), ("internal", "http://glance.internal/")],
            ),
    );
    t.add("nova-token", V3Token::new("nova-id").project("service-proj", "service").role("service"));
    t.add("plain-token", V3Token::new("bob-id").project("bob-proj", "bob").role("member"));
    t.add(
        "expired-token",
        V3Token::new("carol-id").project("proj-id", "demo").expires_at(SystemTime::now() - Duration::from_secs(60)),
    );
    Arc::new(t)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: J,
}

async fn send(app: &Router, path: &str, headers: &[(&str, &str)]) -> Reply {
    send_req(app, path, headers, None).await
}

async fn send_req(app: &Router, path: &str, headers: &[(&str, &str)], remote: Option<RemoteUser>) -> Reply {
    let mut b = Request::builder().uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Body::empty()).expect("request");
    if let Some(r) = remote {
        req.extensions_mut().insert(r);
    }
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(J::Null);
    Reply { status, headers, body }
}

fn www(r: &Reply) -> &str {
    r.headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_headers_and_context() {
    let (app, _) = protected(tokens(), AuthTokenConfig::default());
    let r = send(&app, "/v2/images", &[("X-Auth-Token", "alice-token")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let h = &r.body["headers"];
    assert_eq!(h["x-identity-status"], "Confirmed");
    assert_eq!(h["x-user-id"], "alice-id");
    assert_eq!(h["x-user-name"], "alice");
    assert_eq!(h["x-user-domain-id"], "default");
    assert_eq!(h["x-project-id"], "proj-id");
    assert_eq!(h["x-project-name"], "demo");
    assert_eq!(h["x-project-domain-name"], "Default");
    assert_eq!(h["x-roles"], "member,reader");
    assert_eq!(h["x-role"], "member,reader", "deprecated names too");
    assert_eq!(h["x-tenant-id"], "proj-id");
    assert_eq!(h["x-is-admin-project"], "True");
    assert!(h.get("x-service-identity-status").is_none(), "no service token, no service status");
    let catalog: J = serde_json::from_str(h["x-service-catalog"].as_str().expect("catalog header")).expect("json");
    assert_eq!(
        catalog,
        json!([{"type": "image", "name": "glance", "endpoints": [
            {"region": "RegionOne", "publicURL": "http://glance.example/", "internalURL": "http://glance.internal/"}]}]),
        "keystonemiddleware's v2-shaped catalog"
    );
    let c = &r.body["context"];
    assert_eq!(c["authenticated"], true);
    assert_eq!(c["user_id"], "alice-id");
    assert_eq!(c["roles"], json!(["member", "reader"]));
}

#[tokio::test]
async fn forged_identity_headers_never_reach_the_handler() {
    let (app, _) = protected(tokens(), {
        let mut built = AuthTokenConfig::default();
        built.delay_auth_decision = true;
        built
    });
    let forged = [
        ("X-User-Id", "root"),
        ("X-Roles", "admin"),
        ("X-Identity-Status", "Confirmed"),
        ("X-Service-Identity-Status", "Confirmed"),
        ("X-Service-Roles", "service"),
        ("X-Tenant-Id", "other"),
        ("X-Is-Admin-Project", "True"),
        ("X-Service-Catalog", "[]"),
        ("OpenStack-System-Scope", "all"),
    ];
    // No token at all: passed on (delay_auth_decision) as Invalid, nothing forged.
    let r = send(&app, "/x", &forged).await;
    assert_eq!(r.status, StatusCode::OK);
    let h = r.body["headers"].as_object().expect("headers");
    assert_eq!(h["x-identity-status"], "Invalid");
    for (k, _) in forged.iter().filter(|(k, _)| *k != "X-Identity-Status") {
        assert!(!h.contains_key(&k.to_ascii_lowercase()), "{k} reached the handler: {h:?}");
    }
    // A valid token: the real values, not the forged ones.
    let mut with_token = forged.to_vec();
    with_token.push(("X-Auth-Token", "plain-token"));
    let r = send(&app, "/x", &with_token).await;
    let h = &r.body["headers"];
    assert_eq!(h["x-user-id"], "bob-id");
    assert_eq!(h["x-roles"], "member");
    assert!(h.get("openstack-system-scope").is_none());
    assert!(h.get("x-service-roles").is_none());
    assert_eq!(h["x-is-admin-project"], "True");
}

#[tokio::test]
async fn missing_wrong_and_expired_tokens_get_401_with_where_to_authenticate() {
    let config = {
        let mut built = AuthTokenConfig::default();
        built.www_authenticate_uri = Some("https://keystone.example/v3".into());
        built
    };
    let (app, _) = protected(tokens(), config);
    for headers in [vec![], vec![("X-Auth-Token", "nope")], vec![("X-Auth-Token", "expired-token")]] {
        let r = send(&app, "/x", &headers).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{headers:?}");
        assert_eq!(www(&r), "Keystone uri=\"https://keystone.example/v3\"");
        assert_eq!(r.body["error"]["code"], 401);
        assert_eq!(r.body["error"]["message"], "The request you have made requires authentication.");
    }
    // A 401 from the service itself gets the header too.
    let r = send(&app, "/refuse", &[("X-Auth-Token", "alice-token")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(www(&r), "Keystone uri=\"https://keystone.example/v3\"");
}

#[tokio::test]
async fn x_storage_token_and_surrounding_whitespace_are_accepted() {
    let (app, _) = protected(tokens(), AuthTokenConfig::default());
    let r = send(&app, "/x", &[("X-Storage-Token", "  alice-token ")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["headers"]["x-user-id"], "alice-id");
}

#[tokio::test]
async fn delay_auth_decision_passes_invalid_requests_on_marked_invalid() {
    let (app, _) = protected(tokens(), {
        let mut built = AuthTokenConfig::default();
        built.delay_auth_decision = true;
        built
    });
    let r = send(&app, "/x", &[("X-Auth-Token", "nope")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["headers"]["x-identity-status"], "Invalid");
    assert!(r.body["headers"].get("x-user-id").is_none());
    assert_eq!(r.body["context"]["authenticated"], false);
    assert_eq!(r.body["context"]["user_id"], J::Null);
}

#[tokio::test]
async fn an_unreachable_identity_service_is_503_not_401() {
    let t = tokens();
    let (app, _) = protected(t.clone(), AuthTokenConfig::default());
    t.set_unavailable(true);
    let r = send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["error"]["message"], "The Keystone service is temporarily unavailable.");
    assert!(r.headers.get("www-authenticate").is_none());
    // Back up: validated, and nothing negative was remembered meanwhile.
    t.set_unavailable(false);
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::OK);
    // With delay_auth_decision: passed on as Invalid.
    let t = tokens();
    let (app, _) = protected(t.clone(), {
        let mut built = AuthTokenConfig::default();
        built.delay_auth_decision = true;
        built
    });
    t.set_unavailable(true);
    let r = send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["headers"]["x-identity-status"], "Invalid");
}

#[tokio::test]
async fn service_tokens_need_a_service_role_and_allow_expired_user_tokens() {
    let (app, _) = protected(tokens(), AuthTokenConfig::default());
    // A service token with the service role: confirmed, X-Service-* set, and
    // it lets an expired user token through (allow_expired).
    let r = send(&app, "/x", &[("X-Auth-Token", "expired-token"), ("X-Service-Token", "nova-token")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let h = &r.body["headers"];
    assert_eq!(h["x-service-identity-status"], "Confirmed");
    assert_eq!(h["x-service-user-id"], "nova-id");
    assert_eq!(h["x-service-roles"], "service");
    assert_eq!(h["x-service-project-id"], "service-proj");
    assert_eq!(h["x-user-id"], "carol-id");
    assert_eq!(r.body["context"]["service_user"], "nova-id");
    // A valid token without the role as a service token: refused.
    let r = send(&app, "/x", &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "plain-token")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // An invalid service token: refused even with a valid user token.
    let r = send(&app, "/x", &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "nope")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Without the role, the expired user token stays expired.
    let (app, _) = protected(tokens(), {
        let mut built = AuthTokenConfig::default();
        built.service_token_roles_required = false;
        built
    });
    let r = send(&app, "/x", &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "plain-token")]).await;
    assert_eq!(r.status, StatusCode::OK, "roles not required: any valid token is accepted (with a warning)");
    assert_eq!(r.body["headers"]["x-service-identity-status"], "Confirmed");
    let r = send(&app, "/x", &[("X-Auth-Token", "expired-token"), ("X-Service-Token", "plain-token")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "allow_expired always needs the role");
}

// The caches (positive and negative, with and without a service token
// allowing expired user tokens) must decide as a validation does: every
// case twice, the second from the cache, the same status, headers,
// context and WWW-Authenticate. (Written for a synchronous cache-hit path
// that was tried and measured no faster; it guards any such path.)
#[tokio::test]
async fn answers_from_the_cache_are_the_answers_of_a_validation() {
    for delay in [false, true] {
        let (app, layer) = protected(tokens(), {
            let mut built = AuthTokenConfig::default();
            built.delay_auth_decision = delay;
            built
        });
        let cases: &[&[(&str, &str)]] = &[
            &[("X-Auth-Token", "alice-token")],
            &[("X-Auth-Token", "alice-token"), ("X-Roles", "admin"), ("X_User_Id", "forged")],
            &[("X-Auth-Token", "nope")],
            &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "nova-token")],
            &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "plain-token")],
            &[("X-Auth-Token", "alice-token"), ("X-Service-Token", "nope")],
            &[("X-Auth-Token", "nope"), ("X-Service-Token", "nova-token")],
            &[("X-Service-Token", "nova-token")],
            &[("X-Auth-Token", "alice-token"), ("X-Auth-Token", "plain-token")],
            &[("X-Auth-Token", "not a token")],
            &[],
        ];
        for headers in cases {
            let first = send(&app, "/x", headers).await;
            let calls = layer.validator().source_calls();
            let second = send(&app, "/x", headers).await;
            assert_eq!(layer.validator().source_calls(), calls, "{headers:?}: the second was not from the cache");
            assert_eq!((first.status, &first.body), (second.status, &second.body), "{headers:?}, delay {delay}");
            assert_eq!(
                first.headers.get("www-authenticate"),
                second.headers.get("www-authenticate"),
                "{headers:?}, delay {delay}"
            );
        }
        // The refused route answers 401 itself: WWW-Authenticate added on
        // the cached path too.
        for _ in 0..2 {
            let r = send(&app, "/refuse", &[("X-Auth-Token", "alice-token")]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert!(r.headers.get("www-authenticate").is_some(), "{:?}", r.headers);
        }
    }
}

#[tokio::test]
async fn enforce_token_bind() {
    let t = tokens();
    t.add("krb-token", V3Token::new("dave-id").project("p", "p").bind("kerberos", "dave@EXAMPLE"));
    let dave = || Some(RemoteUser { auth_type: "negotiate".into(), name: "dave@EXAMPLE".into() });
    let eve = || Some(RemoteUser { auth_type: "negotiate".into(), name: "eve@EXAMPLE".into() });
    for (mode, who, plain_ok, krb_ok) in [
        (BindMode::Disabled, eve(), true, true),
        (BindMode::Permissive, dave(), true, true),
        (BindMode::Permissive, eve(), true, false),
        (BindMode::Strict, None, true, false),
        (BindMode::Required, dave(), false, true),
        (BindMode::Named("kerberos".into()), dave(), false, true),
    ] {
        let (app, _) = protected(t.clone(), {
            let mut built = AuthTokenConfig::default();
            built.enforce_token_bind = mode.clone();
            built
        });
        let plain = send_req(&app, "/x", &[("X-Auth-Token", "plain-token")], who.clone()).await;
        let krb = send_req(&app, "/x", &[("X-Auth-Token", "krb-token")], who.clone()).await;
        assert_eq!(plain.status == StatusCode::OK, plain_ok, "{mode:?} {who:?} unbound token");
        assert_eq!(krb.status == StatusCode::OK, krb_ok, "{mode:?} {who:?} kerberos-bound token");
    }
}

#[tokio::test]
async fn application_credential_access_rules() {
    let t = tokens();
    t.add(
        "appcred-token",
        V3Token::new("frank-id")
            .project("p", "p")
            .application_credential("ac-id", &[("image", "GET", "/v2/images"), ("image", "GET", "/v2/images/*")])
            .service("image", "glance", [("public", "http://glance.example/")]),
    );
    let config = {
        let mut built = AuthTokenConfig::default();
        built.service_type = Some("image".into());
        built
    };
    let (app, _) = protected(t.clone(), config);
    assert_eq!(send(&app, "/v2/images", &[("X-Auth-Token", "appcred-token")]).await.status, StatusCode::OK);
    assert_eq!(send(&app, "/v2/images/abc", &[("X-Auth-Token", "appcred-token")]).await.status, StatusCode::OK);
    let denied = send(&app, "/v2/images/abc/file", &[("X-Auth-Token", "appcred-token")]).await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    // A service calling on the user's behalf is not held to the rules.
    let r = send(&app, "/v2/images/abc/file", &[("X-Auth-Token", "appcred-token"), ("X-Service-Token", "nova-token")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Without service_type the rules cannot be checked: refused.
    let (app, _) = protected(t, AuthTokenConfig::default());
    assert_eq!(send(&app, "/v2/images", &[("X-Auth-Token", "appcred-token")]).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn v2_tokens_need_a_tenant() {
    let t = tokens();
    t.add("v2-token", V2Token::new("v2-token", "gina-id", "tenant-id").role("member"));
    t.add("v2-unscoped", V2Token::new("v2-unscoped", "gina-id", "tenant-id").unscoped());
    let (app, _) = protected(t, AuthTokenConfig::default());
    let r = send(&app, "/x", &[("X-Auth-Token", "v2-token")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["headers"]["x-project-id"], "tenant-id");
    assert_eq!(r.body["headers"]["x-roles"], "member");
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "v2-unscoped")]).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_validation_for_1000_concurrent_requests_with_an_unseen_token() {
    let t = tokens();
    t.set_delay(Duration::from_millis(200));
    let (app, layer) = protected(t.clone(), AuthTokenConfig::default());
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    assert_eq!(t.calls(), 1, "one validation for 1,000 concurrent requests");
    assert_eq!(layer.validator().source_calls(), 1);
    // And the cache answers from then on.
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::OK);
    assert_eq!(t.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_tokens_is_answered_from_the_negative_cache() {
    let t = tokens();
    let (app, _) = protected(t.clone(), AuthTokenConfig::default());
    for _ in 0..500 {
        assert_eq!(send(&app, "/x", &[("X-Auth-Token", "forged")]).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(t.calls(), 1, "one validation, then the negative cache");
    // Concurrently, too.
    let tasks: Vec<_> = (0..500)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { send(&app, "/x", &[("X-Auth-Token", "forged-2")]).await.status })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(t.calls(), 2);
    // With the negative cache off, every bad token is asked about.
    let t = tokens();
    let (app, _) = protected(t.clone(), {
        let mut built = AuthTokenConfig::default();
        built.negative_cache_time = Duration::ZERO;
        built
    });
    for _ in 0..5 {
        send(&app, "/x", &[("X-Auth-Token", "forged")]).await;
    }
    assert_eq!(t.calls(), 5);
}

#[tokio::test]
async fn cached_validations_last_token_cache_time() {
    // Cached: a token revoked after its validation stays valid for the
    // cache time (as keystonemiddleware); with the cache off it does not.
    let t = tokens();
    let (app, _) = protected(t.clone(), AuthTokenConfig::default());
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::OK);
    t.revoke("alice-token");
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::OK);
    let t = tokens();
    let (app, _) = protected(t.clone(), {
        let mut built = AuthTokenConfig::default();
        built.token_cache_time = Duration::ZERO;
        built
    });
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::OK);
    t.revoke("alice-token");
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.calls(), 2);
    // Never past the token's own expiry: a token expiring in 1 s is not
    // served from the cache after that.
    let t = tokens();
    t.add("short", V3Token::new("h").project("p", "p").expires_at(SystemTime::now() + Duration::from_millis(1500)));
    let (app, _) = protected(t.clone(), AuthTokenConfig::default());
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "short")]).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "short")]).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_context_serializes_for_a_worker_and_never_shows_the_token() {
    let t = tokens();
    let layer = AuthTokenLayer::with_source(t, AuthTokenConfig::default()).expect("layer");
    let seen = Arc::new(std::sync::Mutex::new(None::<UserContext>));
    let keep = seen.clone();
    let app = Router::new()
        .route(
            "/x",
            any(move |Extension(c): Extension<UserContext>| {
                let keep = keep.clone();
                async move {
                    *keep.lock().expect("lock") = Some(c);
                    "ok"
                }
            }),
        )
        .layer(layer);
    send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await;
    let ctx = seen.lock().expect("lock").clone().expect("context");
    let debug = format!("{ctx:?}");
    assert!(!debug.contains("alice-token"), "{debug}");
    assert!(debug.contains("alice-id"));
    // Over a queue: serialized, read back, and still the caller's plugin.
    let wire = serde_json::to_string(&ctx).expect("serialize");
    let back: UserContext = serde_json::from_str(&wire).expect("deserialize");
    assert_eq!(back.user_id(), Some("alice-id"));
    assert_eq!(back.project_id(), Some("proj-id"));
    assert_eq!(back.catalog().map(|c| c.endpoints().len()), Some(2));
    let plugin = back.auth_plugin().expect("plugin");
    assert_eq!(plugin.plugin_name(), "token_auth");
    assert!(!format!("{plugin:?}").contains("alice-token"));
}
