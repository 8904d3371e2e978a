//! Service-type aliases (`volumev3` = `block-storage`...) and catalog
//! queries: compared with os-service-types and keystoneauth1's
//! `ServiceCatalog` in the venv Python, for every type and alias of the
//! authority data; then through an Adapter and `stackauth endpoint`
//! against a local identity service whose catalog uses the old names.

use crate::common;

use std::process::Command;

use common::Dir;
use common::process::{Out, isolated};
use common::server::{Recorded, Reply, TestServer};
use serde_json::{Value, json};
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::{EndpointFilter, Interface, ServiceCatalog, service_types};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Session};

const SECRET: &str = "Svc-types-secret";

/// Runs `script` in the venv Python with `args`; its stdout as JSON.
fn python(what: &str, script: &str, args: &[&str]) -> Option<Value> {
    let py = common::python::venv_python(what)?;
    let out = Command::new(py).arg("-c").arg(script).args(args).output().expect("python runs");
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("JSON from python"))
}

const ALIASES_PY: &str = r#"
import importlib.metadata, json, sys
import os_service_types
st = os_service_types.ServiceTypes()
names = [n for g in st.all_types_by_service_type.values() for n in g]
queries = names + [n.replace('-', '_') for n in names] + json.loads(sys.argv[1])
print(json.dumps({
    "package": importlib.metadata.version("os-service-types"),
    "version": st.version,
    "sha": st._service_types_data["sha"],
    "names": names,
    "all_types": {q: st.get_all_types(q) for q in queries},
    "official": {q: st.get_service_type(q) for q in queries},
    "is_match": [[r, f, st.is_match(r, f)] for r in names for f in names],
}))
"#;

/// Names the data does not know: themselves only, `_` read as `-`.
const UNKNOWN: &[&str] = &["compute_legacy", "compute-legacy", "my_service", "volume-v3", "identityv3"];

#[test]
fn every_type_and_alias_has_the_aliases_os_service_types_gives() {
    let Some(py) = python("aliases against os-service-types", ALIASES_PY, &[&json!(UNKNOWN).to_string()]) else {
        return;
    };
    // The shipped table is the installed package's: after an upgrade of
    // os-service-types, run scripts/refresh-service-types.sh.
    assert_eq!(py["package"], service_types::PACKAGE_VERSION, "run scripts/refresh-service-types.sh");
    assert_eq!(py["version"], service_types::VERSION);
    assert_eq!(py["sha"], service_types::SHA);
    let ours: Vec<&str> = service_types::ALL_TYPES.iter().flat_map(|g| g.iter().copied()).collect();
    let mut theirs: Vec<&str> = py["names"].as_array().expect("names").iter().filter_map(Value::as_str).collect();
    let mut sorted = ours.clone();
    sorted.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(sorted, theirs, "the same names");
    assert!(theirs.len() > 60, "{} names", theirs.len());

    let all = py["all_types"].as_object().expect("all_types");
    assert!(all.len() > ours.len() + UNKNOWN.len(), "{} queries", all.len());
    for (q, want) in all {
        let want: Vec<&str> = want.as_array().expect("a list").iter().filter_map(Value::as_str).collect();
        assert_eq!(service_types::all_types(q), want, "get_all_types({q:?})");
        assert_eq!(service_types::official(q), py["official"][q].as_str(), "get_service_type({q:?})");
        assert_eq!(service_types::is_known(q), !py["official"][q].is_null(), "is_known({q:?})");
    }
    let mut matches = 0;
    for m in py["is_match"].as_array().expect("is_match") {
        let (r, f, want) = (m[0].as_str().expect("r"), m[1].as_str().expect("f"), m[2].as_bool().expect("bool"));
        assert_eq!(service_types::is_match(r, f), want, "is_match({r:?}, {f:?})");
        matches += usize::from(want);
    }
    assert!(matches > ours.len(), "aliases match: {matches}");
}

#[test]
fn case_and_separators_are_ignored_beyond_keystoneauth() {
    // os-service-types is case-sensitive, and keystoneauth compares the
    // requested type as given (`block_storage` finds nothing there);
    // stackauth's catalog never was that strict.
    assert_eq!(service_types::all_types("VolumeV3"), service_types::all_types("volumev3"));
    assert!(service_types::is_match("Block-Storage", "volumev3"));
    assert!(service_types::is_match("block_storage", "block-storage"));
    let c = ServiceCatalog::from_v3(&v3_catalog());
    assert_eq!(c.urls(&EndpointFilter::new("compute-legacy")), ["http://r1/compute-legacy"]);
    assert_eq!(
        c.urls(&EndpointFilter::new("Block_Storage").interfaces([Interface::Internal])),
        ["http://r1-int/block-storage"]
    );
}

/// A catalog mid-migration: old and new names side by side, two compute
/// services, an unknown type, on two regions and three interfaces.
fn v3_catalog() -> Value {
    let ep = |id: &str, iface: &str, region: &str, url: &str| json!({"id": id, "interface": iface, "region_id": region, "region": region, "url": url});
    json!([
        {"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            ep("e1", "public", "R1", "http://r1/compute"), ep("e2", "internal", "R1", "http://r1-int/compute"),
            ep("e3", "public", "R2", "http://r2/compute")]},
        {"type": "compute", "id": "c2", "endpoints": [ep("e4", "public", "R1", "http://cells/compute")]},
        {"type": "compute_legacy", "name": "nova-legacy", "id": "cl", "endpoints": [
            ep("e5", "public", "R1", "http://r1/compute-legacy")]},
        {"type": "volumev3", "name": "cinderv3", "id": "v3", "endpoints": [
            ep("e6", "public", "R1", "http://r1/volumev3"), ep("e7", "internal", "R2", "http://r2-int/volumev3")]},
        {"type": "volume", "name": "cinder", "id": "v1", "endpoints": [
            ep("e8", "public", "R1", "http://r1/volume"), ep("e9", "admin", "R1", "http://r1-adm/volume")]},
        {"type": "block-storage", "name": "cinder", "id": "bs", "endpoints": [
            ep("e10", "internal", "R1", "http://r1-int/block-storage"), ep("e15", "admin", "R3", "")]},
        {"type": "volumev2", "name": "cinderv2", "id": "v2", "endpoints": [ep("e16", "admin", "R3", "http://r3/v2")]},
        {"type": "sharev2", "name": "manila", "id": "s2", "endpoints": [ep("e11", "public", "R1", "http://r1/sharev2")]},
        {"type": "shared-file-system", "name": "manila", "id": "sfs", "endpoints": [
            ep("e12", "public", "R2", "http://r2/share")]},
        {"type": "identity", "name": "keystone", "id": "k", "endpoints": [
            ep("e13", "public", "R1", "http://r1/identity"), ep("e14", "admin", "R1", "http://r1-adm/identity")]},
        {"type": "my-service", "id": "m", "endpoints": [ep("e17", "public", "R2", "http://r2/mine")]}
    ])
}

/// The same services as a v2 catalog (`publicURL`..., no service ids).
fn v2_catalog() -> Value {
    json!([
        {"type": "compute", "name": "nova", "endpoints": [
            {"id": "e1", "region": "R1", "publicURL": "http://r1/compute", "internalURL": "http://r1-int/compute"},
            {"id": "e3", "region": "R2", "publicURL": "http://r2/compute"}]},
        {"type": "volume", "name": "cinder", "endpoints": [
            {"id": "e8", "region": "R1", "publicURL": "http://r1/volume", "adminURL": "http://r1-adm/volume"}]},
        {"type": "volumev2", "name": "cinderv2", "endpoints": [
            {"id": "e16", "region": "R1", "publicURL": "http://r1/volumev2"}]},
        {"type": "volumev3", "name": "cinderv3", "endpoints": [
            {"id": "e6", "region": "R2", "internalURL": "http://r2-int/volumev3"}]}
    ])
}

const CATALOG_PY: &str = r#"
import json, sys
from keystoneauth1.access import service_catalog as sc
catalogs = {"v3": sc.ServiceCatalogV3(json.loads(sys.argv[1])), "v2": sc.ServiceCatalogV2(json.loads(sys.argv[2]))}
out = []
for version, q in json.loads(sys.argv[3]):
    try:
        out.append(list(catalogs[version].get_urls(**q)))
    except ValueError as e:
        # keystoneauth's "Programming error choosing an endpoint": several
        # aliases matched and the other filters left none of them anything.
        out.append(None)
print(json.dumps(out))
"#;

/// Every query: each requested name (the catalog's, their aliases, unknown
/// ones) by interfaces, region, service name and ids.
fn queries() -> Vec<(&'static str, Value)> {
    let types = [
        "compute",
        "compute_legacy",
        "block-storage",
        "volumev3",
        "volumev2",
        "volume",
        "block-store",
        "shared-file-system",
        "sharev2",
        "share",
        "identity",
        "my-service",
        "image",
    ];
    let interfaces = [json!(["public"]), json!(["internal", "public"]), json!(["admin", "internal"]), json!(["admin"])];
    let mut out = Vec::new();
    for version in ["v3", "v2"] {
        for t in types {
            for i in &interfaces {
                for region in [Value::Null, json!("R1"), json!("R2"), json!("R3")] {
                    out.push((version, json!({"service_type": t, "interface": i, "region_name": region})));
                }
            }
            for (k, v) in [
                ("service_name", "cinder"),
                ("service_name", "nova"),
                ("service_id", "c2"),
                ("service_id", "bs"),
                ("service_id", "v3"),
                ("endpoint_id", "e3"),
                ("endpoint_id", "e6"),
                ("endpoint_id", "e8"),
            ] {
                out.push((version, json!({"service_type": t, "interface": ["public", "internal"], k: v})));
            }
        }
    }
    out
}

fn filter(q: &Value) -> EndpointFilter {
    let mut f = EndpointFilter::new(q["service_type"].as_str().expect("service_type")).interfaces(
        q["interface"].as_array().expect("interfaces").iter().filter_map(|i| i.as_str().and_then(Interface::parse)),
    );
    let s = |k: &str| q.get(k).and_then(Value::as_str).map(str::to_owned);
    f.region_name = s("region_name");
    f.service_name = s("service_name");
    f.service_id = s("service_id");
    f.endpoint_id = s("endpoint_id");
    f
}

#[test]
fn catalog_queries_choose_as_keystoneauth_does() {
    let (v3, v2) = (v3_catalog(), v2_catalog());
    let qs = queries();
    let Some(py) = python(
        "catalog queries against keystoneauth1",
        CATALOG_PY,
        &[&v3.to_string(), &v2.to_string(), &json!(qs).to_string()],
    ) else {
        return;
    };
    let catalogs = [("v3", ServiceCatalog::from_v3(&v3)), ("v2", ServiceCatalog::from_v2(&v2))];
    let (mut found, mut programming_errors) = (0, 0);
    for ((version, q), want) in qs.iter().zip(py.as_array().expect("a list")) {
        let catalog = &catalogs.iter().find(|(v, _)| v == version).expect("catalog").1;
        let f = filter(q);
        let ours = catalog.urls(&f);
        let want: Vec<&str> = match want.as_array() {
            Some(urls) => urls.iter().filter_map(Value::as_str).collect(),
            None => {
                programming_errors += 1;
                Vec::new()
            }
        };
        assert_eq!(ours, want, "{version} get_urls({q})");
        assert_eq!(catalog.find(&f).ok().map(|e| e.url.as_str()), want.first().copied(), "{version} url_for({q})");
        found += usize::from(!want.is_empty());
    }
    // The comparison covers both outcomes, and the keystoneauth bug.
    eprintln!("{found} of {} queries found endpoints, {programming_errors} keystoneauth errors", qs.len());
    assert!(found > 100 && found < qs.len() - 100, "{found} of {} found", qs.len());
    assert!(programming_errors > 0);
}

/// A token whose catalog uses old names: `volumev3` and `compute_legacy`,
/// and `shared-file-system` under its new one.
fn token(base: &str) -> Value {
    let svc = |t: &str, path: &str| {
        json!({"type": t, "id": t, "endpoints": [
            {"id": format!("{t}-pub"), "interface": "public", "region_id": "RegionOne", "url": format!("{base}/{path}")}]})
    };
    json!({"token": {
        "methods": ["password"], "expires_at": "2099-01-01T00:00:00Z", "issued_at": "2026-01-01T00:00:00Z",
        "user": {"id": "u1", "name": "u1", "domain": {"id": "default"}},
        "project": {"id": "p1", "name": "service", "domain": {"id": "default"}},
        "roles": [{"name": "member"}], "audit_ids": ["a"],
        "catalog": [svc("volumev3", "cinder"), svc("compute_legacy", "nova-legacy"),
            svc("shared-file-system", "manila"), svc("identity", "v3")]
    }})
}

async fn cloud() -> TestServer {
    TestServer::start(|r: &Recorded| {
        let host = format!("http://{}", r.header("host").unwrap_or(""));
        if r.method == "POST" && r.path.starts_with("/v3/auth/tokens") {
            return Reply::json(201, token(&host)).header("X-Subject-Token", "tok-1");
        }
        Reply::json(200, json!({"path": r.path}))
    })
    .await
}

#[tokio::test]
async fn an_adapter_finds_old_names_by_new_ones_and_back() {
    let c = cloud().await;
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new(SECRET) };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", c.url()), vec![m], Scope::ProjectId("p1".into()));
    let s = Session::builder().auth(plugin.into_plugin()).build().expect("session");
    for (asked, path) in [
        ("block-storage", "/cinder/volumes"),
        ("volumev3", "/cinder/volumes"),
        ("sharev2", "/manila/volumes"),
        ("share", "/manila/volumes"),
        ("shared_file_system", "/manila/volumes"),
        ("compute_legacy", "/nova-legacy/volumes"),
    ] {
        let r = Adapter::new(&s).service_type(asked).get("/volumes").await.expect(asked);
        assert_eq!(r.json::<Value>().expect("json")["path"], path, "{asked}");
    }
    // One old name does not find another, nor does compute its legacy.
    for asked in ["volume", "volumev2", "compute"] {
        let e = Adapter::new(&s).service_type(asked).get("/x").await.expect_err(asked);
        assert!(
            e.to_string().contains(&format!("no endpoint in the service catalog for service_type {asked:?}")),
            "{e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stackauth_endpoint_takes_any_alias() {
    let c = cloud().await;
    let d = Dir::new();
    let auth_url = format!("{}/v3", c.url());
    let run = |service_type: &'static str| {
        let mut cmd = isolated(env!("CARGO_BIN_EXE_stackauth"), &d);
        cmd.args(["endpoint", "--service-type", service_type]).envs([
            ("OS_AUTH_TYPE", "v3password"),
            ("OS_AUTH_URL", auth_url.as_str()),
            ("OS_USER_ID", "u1"),
            ("OS_PASSWORD", SECRET),
            ("OS_PROJECT_ID", "p1"),
        ]);
        cmd
    };
    let (block, volume) = (run("block-storage"), run("volume"));
    let (block, volume) =
        tokio::task::spawn_blocking(move || (Out::of(block, SECRET), Out::of(volume, SECRET))).await.expect("runs");
    assert_eq!(block.ok().trim(), format!("{}/cinder", c.url()));
    assert!(
        volume.error().contains("no endpoint in the service catalog for service_type \"volume\""),
        "{}",
        volume.err
    );
}
