//! Auth plugins against a real Keystone (see tests/common/keystone.rs).

use crate::common;

use common::keystone::{ADMIN_PASSWORD, keystone};
use common::*;
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, AuthError, PluginRegistry, ReqwestTransport};
use stackauth::opt::Registry;

async fn authenticate(body: &str) -> Result<stackauth::auth::Credentials, AuthError> {
    let d = Dir::new();
    let p = d.write("svc.conf", format!("[service_user]\n{body}"));
    let reg = Registry::new();
    let loaded = auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"));
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(30)).expect("client");
    loaded.plugin.authenticate(&t).await
}

#[tokio::test]
async fn v3password_project_and_domain_scopes_by_id_and_name() {
    let Some(ks) = keystone() else { return };
    ks.grant_admin_on_default_domain().await;
    let (_, project) = ks.api(Method::GET, "/projects?name=admin", None).await;
    let project_id = project["projects"][0]["id"].as_str().expect("admin project").to_owned();
    let base = format!(
        "auth_type = v3password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\nuser_domain_name = Default\n",
        ks.url
    );
    for (scope, check) in [
        ("project_name = admin\nproject_domain_name = Default\n", "project"),
        (&format!("project_id = {project_id}\n")[..], "project"),
        ("domain_id = default\n", "domain"),
        ("domain_name = Default\n", "domain"),
        ("system_scope = all\n", "system"),
    ] {
        let creds = authenticate(&format!("{base}{scope}")).await.unwrap_or_else(|e| panic!("{scope}: {e}"));
        let a = creds.access().expect("a token");
        assert_eq!(a.user.ident.name.as_deref(), Some("admin"));
        assert!(a.role_names().contains(&"admin"), "{scope}: {:?}", a.role_names());
        assert!(!a.audit_ids.is_empty());
        match check {
            "project" => {
                assert_eq!(a.project.as_ref().and_then(|p| p.ident.id.as_deref()), Some(project_id.as_str()));
                assert!(a.catalog.endpoints().iter().any(|e| e.service_type == "identity"), "catalog");
            }
            "domain" => assert_eq!(a.domain.as_ref().and_then(|d| d.id.as_deref()), Some("default")),
            _ => assert!(a.system_all),
        }
        assert!(a.expires_at > std::time::SystemTime::now());
    }
}

#[tokio::test]
async fn generic_password_discovers_v3_from_the_unversioned_url() {
    let Some(ks) = keystone() else { return };
    let creds = authenticate(&format!(
        "auth_type = password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
         default_domain_name = Default\nproject_name = admin\n",
        ks.root
    ))
    .await
    .expect("authenticates");
    let a = creds.access().expect("a token");
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.name.as_deref()), Some("admin"));
}

#[tokio::test]
async fn token_plugins_rescope_an_existing_token() {
    let Some(ks) = keystone() else { return };
    ks.grant_admin_on_default_domain().await;
    let token = ks.admin_token().await;
    for auth_type in ["v3token", "token"] {
        let creds = authenticate(&format!(
            "auth_type = {auth_type}\nauth_url = {}\ntoken = {token}\ndomain_id = default\n",
            ks.url
        ))
        .await
        .unwrap_or_else(|e| panic!("{auth_type}: {e}"));
        let a = creds.access().expect("a token");
        assert_ne!(a.token.expose(), token, "a new token");
        assert_eq!(a.domain.as_ref().and_then(|d| d.id.as_deref()), Some("default"));
        assert!(a.methods.iter().any(|m| m == "token"), "{:?}", a.methods);
    }
}

#[tokio::test]
async fn application_credential_by_id_and_by_name() {
    let Some(ks) = keystone() else { return };
    let (uid, pid, _) = ks.user_with_project("appcred-owner", "owner-pass").await;
    // Application credentials are created by their owner.
    let owner = authenticate(&format!(
        "auth_type = v3password\nauth_url = {}\nuser_id = {uid}\npassword = owner-pass\nproject_id = {pid}\n",
        ks.url
    ))
    .await
    .expect("owner token");
    let owner_token = owner.access().expect("token").token.expose().to_owned();
    let (s, ac) = ks
        .api_with(
            &owner_token,
            Method::POST,
            &format!("/users/{uid}/application_credentials"),
            // Name the role: `member` implies `reader`, and Keystone refuses to
            // copy an implied role it cannot find an assignment for.
            Some(json!({"application_credential": {"name": "ci-cred", "secret": "ac-secret-1", "roles": [{"name": "member"}]}})),
        )
        .await;
    assert_eq!(s, 201, "create application credential: {ac}");
    let ac_id = ac["application_credential"]["id"].as_str().expect("id").to_owned();
    let by_id = authenticate(&format!(
        "auth_type = v3applicationcredential\nauth_url = {}\napplication_credential_id = {ac_id}\n\
         application_credential_secret = ac-secret-1\n",
        ks.url
    ))
    .await
    .expect("by id");
    let a = by_id.access().expect("token");
    assert_eq!(a.application_credential_id.as_deref(), Some(ac_id.as_str()));
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.id.as_deref()), Some(pid.as_str()));
    let by_name = authenticate(&format!(
        "auth_type = v3applicationcredential\nauth_url = {}\napplication_credential_name = ci-cred\n\
         application_credential_secret = ac-secret-1\nusername = appcred-owner\nuser_domain_id = default\n",
        ks.url
    ))
    .await
    .expect("by name");
    assert_eq!(by_name.access().and_then(|a| a.application_credential_id.clone()), Some(ac_id));
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_401() {
    let Some(ks) = keystone() else { return };
    let e = authenticate(&format!(
        "auth_type = v3password\nauth_url = {}\nusername = admin\npassword = not-the-password\n\
         user_domain_id = default\nproject_name = admin\nproject_domain_id = default\n",
        ks.url
    ))
    .await
    .expect_err("rejected");
    assert!(matches!(e, AuthError::Unauthorized { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("refused the credentials (HTTP 401)"), "{msg}");
    assert!(!msg.contains("not-the-password"), "{msg}");
}

#[tokio::test]
async fn a_legacy_keystonemiddleware_group_authenticates() {
    let Some(ks) = keystone() else { return };
    let d = Dir::new();
    let host_port = ks.root.trim_start_matches("http://");
    let (host, port) = host_port.split_once(':').expect("host:port");
    let p = d.write(
        "glance-api.conf",
        format!(
            "[keystone_authtoken]\nauth_protocol = http\nauth_host = {host}\nauth_port = {port}\n\
             admin_user = admin\nadmin_password = {ADMIN_PASSWORD}\nadmin_tenant_name = admin\n"
        ),
    );
    let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let loaded =
        auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "keystone_authtoken")
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.plugin_name, "v3password");
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(30)).expect("client");
    let creds = loaded.plugin.authenticate(&t).await.expect("authenticates");
    assert_eq!(
        creds.access().and_then(|a| a.project.as_ref()).and_then(|p| p.ident.name.clone()).as_deref(),
        Some("admin")
    );
}
