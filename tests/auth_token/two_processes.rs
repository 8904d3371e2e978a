//! Two processes of one service (examples/my_projects_service, started
//! twice) share their token validations through a real memcached, with
//! entries encrypted: a token validated by one is not validated again by
//! the other. The identity service is a real local HTTP server that counts
//! validations.

use crate::common;

use common::memcached::Memcached;
use common::process::Listening;
use common::server::{Recorded, Reply, TestServer, v3_token_body};
use serde_json::json;

fn start(conf: &std::path::Path) -> Listening {
    Listening::start("my_projects_service", &["--config-file".as_ref(), conf.as_os_str()])
}

async fn whoami(p: &Listening, token: &str) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new().get(format!("{}/whoami", p.url)).header("X-Auth-Token", token).send().await;
    let r = r.expect("service answers");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn two_service_processes_share_one_validation_through_memcached() {
    stackauth::auth::transport::install_crypto_provider();
    let Some(m) = Memcached::start() else { return };
    let identity = TestServer::start(|r: &Recorded| {
        let v3 = format!("http://{}/v3", r.header("host").unwrap_or(""));
        match (r.method.as_str(), r.path.split('?').next().unwrap_or("")) {
            // The service logs in as itself.
            ("POST", "/v3/auth/tokens") => {
                Reply::json(201, v3_token_body("2099-01-01T00:00:00Z", &v3)).header("X-Subject-Token", "svc-token")
            }
            ("GET", "/v3" | "/v3/") => Reply::json(
                200,
                json!({"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": format!("{v3}/")}]}}),
            ),
            // A caller's token validated.
            ("GET", "/v3/auth/tokens") if r.header("x-subject-token") == Some("alice-token") => {
                let mut body = v3_token_body("2099-01-01T00:00:00Z", &v3);
                body["token"]["user"] = json!({"id": "alice-id", "name": "alice", "domain": {"id": "default"}});
                Reply::json(200, body).header("X-Subject-Token", "alice-token")
            }
            ("GET", "/v3/auth/tokens") => Reply::json(404, json!({"error": {"code": 404, "message": "nope"}})),
            _ => Reply::empty(404),
        }
    })
    .await;
    let dir = common::Dir::new();
    let conf = dir.write(
        "service.conf",
        format!(
            "[keystone_authtoken]\nauth_type = password\nauth_url = {}/v3\nusername = glance\npassword = p\n\
             project_name = service\nuser_domain_id = default\nproject_domain_id = default\n\
             interface = public\nmemcached_servers = {}\nmemcache_security_strategy = ENCRYPT\nmemcache_secret_key = shared-key\n",
            identity.url(),
            m.addr()
        ),
    );
    let a = start(&conf);
    let b = start(&conf);
    let validations =
        || identity.requests().iter().filter(|r| r.method == "GET" && r.path.starts_with("/v3/auth/tokens")).count();
    let (s, who) = whoami(&a, "alice-token").await;
    assert_eq!((s, who["user_id"].as_str()), (200, Some("alice-id")), "{who}");
    assert_eq!(validations(), 1);
    let (s, who) = whoami(&b, "alice-token").await;
    assert_eq!((s, who["user_id"].as_str()), (200, Some("alice-id")), "{who}");
    assert_eq!(validations(), 1, "the second process used the first one's validation");
    // A bad token: each process asks (negative results are per process), and refuses.
    assert_eq!(whoami(&a, "bad").await.0, 401);
    assert_eq!(whoami(&b, "bad").await.0, 401);
    assert_eq!(whoami(&b, "bad").await.0, 401);
    assert_eq!(validations(), 3);
    assert_eq!(m.keys().len(), 1, "one shared entry: {:?}", m.keys());
}
