//! The two clients the session benchmarks compare, against the server of
//! `cloud.rs`, and a driver that sends N requests from C concurrent tasks.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use stackauth::auth::identity::v3::{AuthMethod, DomainRef, Scope, UserRef, V3Auth};
use stackauth::auth::{Interface, transport::install_crypto_provider};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Session};

/// The server: `STACKAUTH_BENCH_CLOUD=127.0.0.1:PORT` (an
/// `examples/bench_cloud` process, as bench/run.sh starts), or one started
/// on a thread of this process.
pub fn cloud_addr() -> SocketAddr {
    match std::env::var("STACKAUTH_BENCH_CLOUD") {
        Ok(a) => a.parse().expect("STACKAUTH_BENCH_CLOUD is HOST:PORT"),
        Err(_) => super::cloud::start_thread(),
    }
}

/// A session whose password plugin logs in at the server, and an adapter
/// for its `compute` service (internal interface first): the daemon's
/// view. Each call makes a new session (a new connection pool).
pub fn session(addr: SocketAddr) -> (Session, Adapter) {
    let user = UserRef::Name { name: "bench".into(), domain: Some(DomainRef::Name("Default".into())) };
    let m = AuthMethod::Password { user, password: Secret::new("bench-pw") };
    let scope = Scope::ProjectName { name: "service".into(), domain: DomainRef::Name("Default".into()) };
    let plugin = V3Auth::new("v3password", &format!("http://{addr}/v3"), vec![m], scope).into_plugin();
    let session = Session::builder().auth(plugin).app("bench", "1.0").build().expect("session");
    let adapter = Adapter::new(&session).service_type("compute").interfaces([Interface::Internal, Interface::Public]);
    (session, adapter)
}

/// One authenticated GET through the adapter (catalog lookup, token).
pub async fn session_get(a: &Adapter) {
    let r = a.get("/servers").await.expect("GET through the session");
    assert_eq!(r.status, 200);
    std::hint::black_box(r.body.len());
}

/// The same GET with plain reqwest: a fixed URL and a fixed token header.
#[derive(Clone)]
pub struct Raw {
    pub client: reqwest::Client,
    pub url: Arc<str>,
    pub token: Arc<str>,
}

impl Raw {
    /// A client of its own; `token` is one the server accepts.
    pub fn new(addr: SocketAddr, token: &str) -> Raw {
        install_crypto_provider();
        Raw {
            client: reqwest::Client::new(),
            url: format!("http://{addr}/compute/servers").into(),
            token: token.into(),
        }
    }

    /// One GET.
    pub async fn get(&self) {
        let r = self.client.get(&*self.url).header("X-Auth-Token", &*self.token).send().await.expect("GET");
        assert_eq!(r.status(), 200);
        std::hint::black_box(r.bytes().await.expect("body").len());
    }
}

/// The token the session holds (fetching one if needed).
pub async fn token_of(s: &Session) -> String {
    let c = s.credentials().await.expect("token");
    c.headers().into_iter().find(|(k, _)| *k == "X-Auth-Token").map(|(_, v)| v.expose().to_owned()).expect("a token")
}

/// Sends `total` requests (`one()` each) from `tasks` concurrent tasks on
/// the current runtime, each task taking the next request when its last
/// one is answered.
pub async fn run<F, Fut>(tasks: usize, total: u64, one: F)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let (one, next) = (one.clone(), next.clone());
        set.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                one().await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("a request task panicked");
    }
}

/// The server's counters: (token POSTs, service GETs) so far.
pub async fn stats(addr: SocketAddr) -> (u64, u64) {
    let v: serde_json::Value =
        reqwest::get(format!("http://{addr}/stats")).await.expect("stats").json().await.expect("stats JSON");
    (v["posts"].as_u64().expect("posts"), v["gets"].as_u64().expect("gets"))
}

/// Makes the server refuse every token issued so far.
pub async fn revoke(addr: SocketAddr) {
    let r = reqwest::Client::new().post(format!("http://{addr}/revoke")).send().await.expect("revoke");
    assert!(r.status().is_success());
}

/// A single-threaded runtime for the clients (the server has its own
/// thread or process): one core each on a 2-core machine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}
