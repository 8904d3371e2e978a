//! `clouds.yaml` read by openstacksdk (`OpenStackConfig().get_one()`, in
//! the venv of tests/openstacksdk/setup.sh) and by stackauth, compared
//! case by case: the plugin, the region (`regions` with per-region
//! `values`), `auth` values, vendor profiles, the `envvars` cloud, and the
//! per-service settings an adapter gets (`<service>_api_version`,
//! `_endpoint_override`, `_interface`, `_service_type`, `_service_name`,
//! `_region_name`, through the service-type aliases).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use stackauth::auth::PluginRegistry;
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::diagnostic::Code;
use stackauth::source::Env;

use crate::common;

const AUTH: &str = "auth_url: http://k:5000/v3, username: u, password: p, project_name: pr, \
                    user_domain_name: D, project_domain_name: D";

fn clouds() -> String {
    format!(
        "\
clouds:
  svc:
    auth: {{{AUTH}}}
    region_name: R1
    interface: internal
    image_api_version: '2'
    image_endpoint_override: http://img:9292/
    volume_api_version: '3'
    volumev3_service_name: cinderv3
    block_storage_interface: admin
    compute_service_type: compute-legacy
    compute_endpoint_type: public
    network_region_name: R2
    object_store_endpoint: http://swift:8080/v1
    dns_api_version: latest
    rate_limit: {{compute: 5, volume: 2.5}}
    concurrency: {{image: 3, volumev3: 1}}
  regs:
    auth: {{{AUTH}}}
    interface: public
    regions:
      - name: R1
        values:
          image_api_version: '1'
          interface: admin
      - R2
      - name: R3
        values:
          auth: {{project_name: other}}
          network_endpoint_override: http://net3:9696/
  listed:
    auth: {{{AUTH}}}
    region_name: A,B
  fmt:
    auth: {{{AUTH}}}
    regions: [west, east]
    image_endpoint_override: 'http://img.{{region_name}}.example/{{{{v}}}}/'
  badfmt:
    auth: {{{AUTH}}}
    image_endpoint_override: 'http://img.{{nope}}.example/'
  tokep:
    auth_type: token_endpoint
    auth: {{endpoint: http://fixed:1234/, token: t0k}}
  vend:
    profile: ovh
    auth: {{username: u, password: p, project_name: pr, user_domain_name: D, project_domain_name: D}}
  vend2:
    profile: betacloud
    auth: {{username: u, password: p, project_name: pr, user_domain_name: D, project_domain_name: D}}
    region_name: betacloud-1
"
    )
}

/// A cloud, a region asked for, and extra variables.
type Case = (&'static str, Option<&'static str>, Vec<(&'static str, &'static str)>);

fn cases() -> Vec<Case> {
    let env_cloud = vec![
        ("OS_AUTH_URL", "http://envk:5000/v3"),
        ("OS_USERNAME", "eu"),
        ("OS_PASSWORD", "ep"),
        ("OS_PROJECT_NAME", "epr"),
        ("OS_USER_DOMAIN_NAME", "D"),
        ("OS_PROJECT_DOMAIN_NAME", "D"),
        ("OS_IMAGE_API_VERSION", "2"),
        ("OS_COMPUTE_ENDPOINT_OVERRIDE", "http://nova-env:8774/"),
    ];
    let mut renamed = env_cloud.clone();
    // Variables the envvars cloud leaves out: the selectors.
    renamed.push(("OS_CLIENT_SECURE_FILE", "/nonexistent/secure.yaml"));
    renamed.push(("OS_CLOUD_NAME", "fromenv"));
    vec![
        ("svc", None, vec![]),
        ("regs", None, vec![]),
        ("regs", Some("R2"), vec![]),
        ("regs", Some("R3"), vec![]),
        ("regs", Some("R9"), vec![]),
        ("listed", None, vec![]),
        ("listed", Some("B"), vec![]),
        ("tokep", None, vec![]),
        ("fmt", None, vec![]),
        ("fmt", Some("east"), vec![]),
        ("badfmt", None, vec![]),
        ("vend", None, vec![]),
        ("vend", Some("GRA"), vec![]),
        ("vend2", None, vec![]),
        ("envvars", None, env_cloud),
        ("fromenv", None, renamed),
    ]
    .into_iter()
    .chain(vendor_names().into_iter().map(|n| (n, None, vec![])))
    .collect()
}

/// Every vendor profile shipped (src/auth/cli/vendors_data.rs), for a cloud
/// of the same name that uses it.
fn vendor_names() -> Vec<&'static str> {
    include_str!("../../src/auth/cli/vendors_data.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("(\"")?.split('"').next())
        // Deliberate difference: openstacksdk appends the project id to
        // Rackspace's block-storage endpoint, a vendor hack not copied.
        .filter(|n| *n != "rackspace")
        .collect()
}

fn vendor_clouds() -> String {
    vendor_names()
        .iter()
        .map(|n| {
            format!(
                "  {n}:\n    profile: {n}\n    auth: {{username: u, password: p, project_name: pr, \
                 user_domain_name: D, project_domain_name: D}}\n"
            )
        })
        .collect()
}

const SERVICES: [&str; 7] = ["image", "volume", "block-storage", "compute", "network", "object-store", "dns"];

/// What stackauth makes of a case, in the Python script's shape.
fn ours(dir: &Path, cloud: &str, region: Option<&str>, env: &Env) -> Value {
    let mut args = vec!["t".to_owned(), "--os-cloud".to_owned(), cloud.to_owned()];
    if let Some(r) = region {
        args.extend(["--os-region-name".to_owned(), r.to_owned()]);
    }
    let dirs = Dirs { cwd: dir.to_path_buf(), home: Some(dir.to_path_buf()), config_home: None };
    let auth = CliAuth::scan(&args, env.clone(), &dirs, PluginRegistry::builtin(), None);
    let m = match auth.register(clap::Command::new("t")).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return json!({"error": e.to_string()}),
    };
    let loaded = match auth.load(&m) {
        Ok(l) => l,
        Err(e) => return json!({"error": e.to_string()}),
    };
    let Some(c) = auth.cloud() else { return json!({"error": "no cloud"}) };
    let value = |k: &str| loaded.snapshot.value("cli", k).and_then(|v| v.as_str().map(str::to_owned));
    let mut auth_values = serde_json::Map::new();
    for k in ["auth_url", "project_name", "endpoint"] {
        // A v2 plugin's project is its tenant.
        let v = value(k).or_else(|| if k == "project_name" { value("tenant_name") } else { None });
        if let Some(v) = v {
            auth_values.insert(k.to_owned(), json!(v));
        }
    }
    let mut services = serde_json::Map::new();
    for st in SERVICES {
        let (o, _) = match c.adapter_options(st, &loaded.adapter) {
            Ok(x) => x,
            Err(e) => return json!({"error": e.to_string()}),
        };
        let interfaces: Vec<&str> = o.interfaces.iter().map(|i| i.as_str()).collect();
        services.insert(
            st.to_owned(),
            json!({
                "service_type": o.service_type,
                "service_name": o.service_name,
                // No interface is keystoneauth's public.
                "interface": if interfaces.is_empty() { "public".to_owned() } else { interfaces.join(",") },
                "region_name": o.region_name,
                "endpoint_override": o.endpoint_override,
                "api_version": o.version.map(|v| v.min.to_string()),
                "rate_limit": o.rate_limit,
                "concurrency": o.concurrency,
            }),
        );
    }
    let unknown: Vec<String> = loaded
        .snapshot
        .warnings()
        .iter()
        .filter(|d| d.code == Code::UnknownOption && d.message.contains("openstacksdk"))
        .map(|d| d.to_string())
        .collect();
    // Deliberate difference (as OpenStackClient): with an
    // identity_api_version and a user, the versioned plugin is chosen where
    // openstacksdk keeps `password` (which picks the version by discovery).
    let plugin = match loaded.plugin_name.as_str() {
        "v3password" | "v2password" if c.auth_type.is_none() => "password",
        p => p,
    };
    json!({
        "unknown": unknown,
        "auth_type": plugin,
        "region_name": loaded.adapter.region_name,
        "auth": auth_values,
        "services": services,
    })
}

#[test]
fn clouds_yaml_as_openstacksdk_reads_it() {
    let Some(python) = common::python::sdk_python("clouds.yaml against openstacksdk") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("clouds.yaml");
    std::fs::write(&file, clouds() + &vendor_clouds()).expect("write");
    assert!(vendor_names().len() > 20, "{:?}", vendor_names());
    let file_var = ("OS_CLIENT_CONFIG_FILE", file.to_string_lossy().into_owned());
    let input: Vec<Value> = cases()
        .iter()
        .map(|(cloud, region, env)| {
            let mut vars: serde_json::Map<String, Value> =
                env.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
            vars.insert(file_var.0.to_owned(), json!(file_var.1));
            json!({"cloud": cloud, "region": region, "env": vars})
        })
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openstacksdk/cloud_region.py");
    let mut child = Command::new(python)
        .arg(script)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(serde_json::to_string(&input).expect("json").as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("python ends");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).expect("python's JSON");
    let mut differences = Vec::new();
    for ((cloud, region, env), theirs) in cases().iter().zip(theirs) {
        let mut vars: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        vars.push((file_var.0.to_owned(), file_var.1.clone()));
        let ours = ours(dir.path(), cloud, *region, &Env::from_pairs(vars));
        if ours.get("error").is_none() && !ours["unknown"].as_array().is_some_and(Vec::is_empty) {
            differences.push(format!("{cloud} {region:?}: keys warned about as unknown: {}", ours["unknown"]));
        }
        let mut ours = ours;
        if let Some(o) = ours.as_object_mut() {
            o.remove("unknown");
        }
        let agree = match (theirs.get("error"), ours.get("error")) {
            (Some(_), Some(_)) => true,
            (None, None) => ours == theirs,
            _ => false,
        };
        if !agree {
            differences.push(format!("{cloud} {region:?}:\n  openstacksdk: {theirs}\n  stackauth:    {ours}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases().len(),
        differences.join("\n")
    );
}

fn load_warnings(yaml: &str, cloud: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("clouds.yaml"), yaml).expect("write");
    let args: Vec<String> = ["t", "--os-cloud", cloud].iter().map(|s| (*s).to_owned()).collect();
    let dirs = Dirs { cwd: dir.path().to_path_buf(), home: Some(dir.path().to_path_buf()), config_home: None };
    let auth = CliAuth::scan(&args, Env::empty(), &dirs, PluginRegistry::builtin(), None);
    let m = auth.register(clap::Command::new("t")).try_get_matches_from(&args).expect("parses");
    let loaded = auth.load(&m).expect("loads");
    loaded.snapshot.warnings().iter().filter(|d| d.code == Code::UnknownOption).map(|d| d.to_string()).collect()
}

#[test]
fn unknown_keys_are_warned_about_at_their_line() {
    let yaml = format!(
        "clouds:\n  c:\n    auth: {{{AUTH}}}\n    regoin_name: R1\n    image_api_version: '2'\n    has_network: false\n\
         \x20   floating_ip_source: neutron\n    mystery_service_endpoint_override: http://m/\n    colour: blue\n"
    );
    let w = load_warnings(&yaml, "c");
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("regoin_name is neither a key openstacksdk reads") && w[0].contains("clouds.yaml:4:18"),
        "{w:?}"
    );
    assert!(w[1].contains("colour") && w[1].contains("clouds.yaml:9:13"), "{w:?}");
}

#[test]
fn a_region_the_cloud_does_not_list_is_refused_with_those_it_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("clouds.yaml"), clouds()).expect("write");
    let text = ours(dir.path(), "regs", Some("R9"), &Env::empty())["error"].as_str().unwrap_or_default().to_owned();
    assert!(text.contains("region \"R9\" is not a region of cloud \"regs\": it has R1, R2, R3"), "{text}");
    assert!(text.contains("clouds.yaml:22:9"), "{text}");
}

#[test]
fn a_file_cloud_named_as_the_environment_cloud_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("clouds.yaml"), format!("clouds:\n  envvars:\n    auth: {{{AUTH}}}\n"))
        .expect("write");
    let text = ours(dir.path(), "envvars", None, &Env::from_pairs([("OS_USERNAME", "x")]))["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(text.contains("the cloud \"envvars\" is the one the OS_* variables make"), "{text}");
}

const SECRET: &str = "Cloud-per-service-secret";

/// A local identity service whose catalog has two interfaces for image,
/// two block-storage services (by name) and compute in two regions; the
/// image endpoint publishes a version document.
async fn catalog_server() -> common::server::TestServer {
    use common::server::{Recorded, Reply, TestServer};
    TestServer::start(|r: &Recorded| {
        let h = format!("http://{}", r.header("host").unwrap_or(""));
        if r.method == "POST" && r.path.starts_with("/v3/auth/tokens") {
            let ep = |iface: &str, region: &str, url: String| json!({"interface": iface, "region_id": region, "region": region, "url": url});
            let body = json!({"token": {
                "methods": ["password"], "user": {"id": "u1"}, "project": {"id": "p1", "name": "p"},
                "expires_at": "2099-01-01T00:00:00Z", "issued_at": "2026-01-01T00:00:00Z",
                "catalog": [
                    {"type": "identity", "endpoints": [ep("public", "RegionOne", format!("{h}/v3"))]},
                    {"type": "image", "name": "glance", "endpoints": [
                        ep("public", "RegionOne", format!("{h}/img-public")),
                        ep("internal", "RegionOne", format!("{h}/img-internal"))]},
                    {"type": "volumev3", "name": "cinderv3", "endpoints": [ep("public", "RegionOne", format!("{h}/cinder3"))]},
                    {"type": "volumev3", "name": "cinder-other", "endpoints": [ep("public", "RegionOne", format!("{h}/cinder-other"))]},
                    {"type": "compute", "name": "nova", "endpoints": [
                        ep("public", "RegionOne", format!("{h}/nova1")),
                        ep("public", "RegionTwo", format!("{h}/nova2"))]},
                ]
            }});
            return Reply::json(201, body).header("X-Subject-Token", "tok-1");
        }
        if r.path.trim_end_matches('/') == "/img-internal" {
            return Reply::json(300, json!({"versions": [
                {"id": "v2.17", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{h}/img-internal/v2/")}]},
                {"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": format!("{h}/img-internal/v2/")}]}]}));
        }
        Reply::json(404, json!({"path": r.path}))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stackauth_endpoint_applies_the_clouds_per_service_keys_against_a_catalog() {
    let server = catalog_server().await;
    let d = common::Dir::new();
    d.write(
        "clouds.yaml",
        format!(
            "clouds:\n  local:\n    auth_type: v3password\n    auth: {{auth_url: '{}/v3', user_id: u1, project_id: p1}}\n\
             \x20   region_name: RegionOne\n    image_interface: internal\n    image_api_version: '2'\n\
             \x20   volume_service_name: cinder-other\n    compute_region_name: RegionTwo\n",
            server.url()
        ),
    );
    let run = |service_type: &str| {
        let mut c = common::process::isolated(env!("CARGO_BIN_EXE_stackauth"), &d);
        c.args(["endpoint", "--os-cloud", "local", "--service-type", service_type]).env("OS_PASSWORD", SECRET);
        c
    };
    let cmds = ["image", "block-storage", "compute", "identity"].map(run);
    let outs =
        tokio::task::spawn_blocking(move || cmds.map(|c| common::process::Out::of(c, SECRET))).await.expect("runs");
    let [image, volume, compute, identity] = outs;
    let u = server.url();
    // image: the internal interface and version 2 from the cloud, discovered.
    let found: Value = serde_json::from_str(image.ok().trim()).expect("JSON (a version was asked)");
    assert_eq!(found["url"], format!("{u}/img-internal/v2/"), "{found}");
    assert_eq!(found["api_version"], "2.17", "{found}");
    assert_eq!(found["interface"], "internal", "{found}");
    // block-storage through volume_service_name (an alias's key).
    assert_eq!(volume.ok().trim(), format!("{u}/cinder-other"));
    // compute in its own region.
    assert_eq!(compute.ok().trim(), format!("{u}/nova2"));
    // identity: the cloud-wide settings.
    assert_eq!(identity.ok().trim(), format!("{u}/v3"));
}

#[test]
fn every_key_of_openstacksdk_s_schemas_is_known() {
    let Some(python) = common::python::sdk_python("clouds.yaml keys against openstacksdk's schemas") else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openstacksdk/schema_keys.py");
    let out = Command::new(python).arg(script).output().expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut keys: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(keys.len() > 50, "{keys:?}");
    // Ours to set (the plugin and its credentials); files that would be read.
    for k in ["auth", "auth_type", "auth_plugin", "cacert", "cert", "key"] {
        keys.remove(k);
    }
    keys.insert("endpoint_type".into(), json!("public"));
    let yaml = format!(
        "clouds:\n  c:\n    auth_type: password\n    auth: {{{AUTH}}}\n    {}\n",
        keys.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n    ")
    );
    let w = load_warnings(&yaml, "c");
    assert!(w.is_empty(), "keys openstacksdk's schemas have, warned about as unknown:\n{}", w.join("\n"));
}

/// With no `--os-cloud` and no `OS_CLOUD`, the cloud openstacksdk chooses:
/// the `envvars` cloud when `OS_*` variables make one, else the only cloud
/// of the files, else none. stackauth chooses the same (the `envvars` cloud
/// is its `OS_*` variables, read as they are).
#[test]
fn the_default_cloud_is_openstacksdks() {
    let Some(python) = common::python::sdk_python("the default cloud against openstacksdk") else { return };
    let one = format!("clouds:\n  only:\n    auth: {{{AUTH}}}\n");
    let two = format!("clouds:\n  a:\n    auth: {{{AUTH}}}\n  b:\n    auth: {{{AUTH}}}\n");
    let secure_too = format!("clouds:\n  only:\n    auth: {{{AUTH}}}\n");
    // What, clouds.yaml, secure.yaml, variables.
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Vec<(&'a str, &'a str)>);
    let cases: [Case; 6] = [
        ("one cloud", &one, None, vec![]),
        ("two clouds", &two, None, vec![]),
        ("one cloud, OS_AUTH_URL set", &one, None, vec![("OS_AUTH_URL", "http://env:5000/v3")]),
        ("one cloud, only selectors set", &one, None, vec![("OS_REGION_NAME", "R1")]),
        ("one cloud and a secure.yaml of another", &one, Some("clouds:\n  other:\n    auth: {password: x}\n"), vec![]),
        ("the same cloud in secure.yaml", &secure_too, Some("clouds:\n  only:\n    auth: {password: x}\n"), vec![]),
    ];
    let mut differences = Vec::new();
    for (what, clouds, secure, env) in &cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("clouds.yaml"), clouds).expect("write");
        if let Some(s) = secure {
            std::fs::write(dir.path().join("secure.yaml"), s).expect("write");
        }
        let script = "import os, warnings\nwarnings.simplefilter('ignore')\nfrom openstack.config import loader\n\
                      c = loader.OpenStackConfig()\nprint(c.default_cloud if c.default_cloud not in (None, 'defaults') else '')\n";
        let mut cmd = Command::new(python);
        cmd.args(["-c", script]).current_dir(dir.path()).env("HOME", dir.path()).env_remove("XDG_CONFIG_HOME");
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("OS_")) {
            cmd.env_remove(k);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("python runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let theirs = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let theirs = if theirs == "envvars" || theirs.is_empty() { None } else { Some(theirs) };
        let dirs = Dirs { cwd: dir.path().to_path_buf(), home: Some(dir.path().to_path_buf()), config_home: None };
        let args = vec!["t".to_owned()];
        let auth = CliAuth::scan(&args, Env::from_pairs(env.iter().copied()), &dirs, PluginRegistry::builtin(), None);
        let ours = auth.cloud().map(|c| c.name.clone());
        if ours != theirs {
            differences.push(format!("{what}: openstacksdk {theirs:?}, stackauth {ours:?}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
