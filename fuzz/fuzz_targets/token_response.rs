//! The identity service's answers: a token response (v3 and v2.0) as the
//! plugins read it over a transport, its catalog and the endpoint lookup,
//! and the version document discovery reads. Never a panic; a token that
//! parses has a readable expiry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackauth::auth::identity::generic::parse_versions;
use stackauth::auth::identity::v3::{AuthMethod, Scope, V3Auth};
use stackauth::auth::transport::{BoxFuture, HttpRequest, HttpResponse, TransportError};
use stackauth::auth::{AccessInfo, EndpointFilter, Interface, Transport};

/// Answers every request with the fuzzer's status, subject token and body.
struct Canned(HttpResponse);

impl Transport for Canned {
    fn send(&self, _req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let r = self.0.clone();
        Box::pin(async move { Ok(r) })
    }
}

fn lookups(a: &AccessInfo) {
    let _ = (format!("{a:?}"), a.expires_at.duration_since(std::time::UNIX_EPOCH), a.role_names(), a.audit_id());
    for f in [
        EndpointFilter::new("identity"),
        EndpointFilter::new("compute").interfaces([Interface::Internal, Interface::Public]).region("RegionOne"),
        EndpointFilter::new("image").service_name("glance").interfaces([Interface::Admin]),
    ] {
        match a.catalog.find(&f) {
            Ok(e) => assert!(a.catalog.endpoints().contains(e)),
            Err(e) => drop(e.to_string()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&status, rest)) = data.split_first() else { return };
    let body = rest.to_vec();
    if let Ok(s) = std::str::from_utf8(rest) {
        // The time parser is not public: reach it as a token's expiry.
        let body = serde_json::json!({"token": {"expires_at": s, "issued_at": s, "user": {"id": "u"}}});
        if let Ok(a) = AccessInfo::from_v3("tok", &body) {
            lookups(&a);
        }
    }
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(&body) {
        for a in [AccessInfo::from_v3("tok", &j), AccessInfo::from_v2(&j)].into_iter().flatten() {
            lookups(&a);
        }
        let _ = parse_versions(&j);
        let _ = stackauth::session::discover::parse_versions(&j, "http://k:5000/v3");
    }
    // Through the plugin: status, X-Subject-Token, body.
    let status = [200u16, 201, 203, 300, 400, 401, 403, 404, 500, 503][usize::from(status) % 10];
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("X-Subject-Token", reqwest::header::HeaderValue::from_static("gAAAAAfuzz"));
    let t = Canned(HttpResponse { status, headers, body });
    let plugin = V3Auth::new(
        "v3password",
        "http://k:5000/v3",
        vec![AuthMethod::Token { token: stackauth::opt::Secret::new("t") }],
        Scope::Default,
    );
    match stackauth_fuzz::block_on(plugin.get_access(&t)) {
        Ok(a) => lookups(&a),
        Err(e) => drop((e.to_string(), format!("{e:?}"))),
    }
});
