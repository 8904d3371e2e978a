//! `stackauth validate` on the cases in tests/data/findings: one case per
//! finding code, its JSON and human output compared with expected files.
//! `STACKAUTH_BLESS=1 cargo test --test tools cli_validate::` rewrites them.

use std::path::Path;
use std::process::Command;

const DIR: &str = "tests/data/findings";

/// `stackauth ARGS` from the crate's root: its stdout and exit code.
fn stackauth(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

fn run(args: &[String], format: &str) -> (String, i32) {
    let mut all = vec!["validate", "--no-env", "--format", format];
    all.extend(args.iter().map(String::as_str));
    stackauth(&all)
}

/// The cases' files hold passwords: their mode decides whether validate
/// warns (insecure-file), so set it rather than depend on the checkout.
#[cfg(unix)]
fn set_modes(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(root).expect("cases").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".conf") || name.ends_with(".toml") {
            let mode = if name.starts_with("insecure-file") { 0o644 } else { 0o640 };
            std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
    }
}

#[cfg(not(unix))]
fn set_modes(_root: &Path) {}

fn check(expected: &Path, actual: &str) -> Option<String> {
    if std::env::var("STACKAUTH_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(expected, actual).expect("bless");
        return None;
    }
    let want = std::fs::read_to_string(expected).unwrap_or_default();
    (want != actual).then(|| format!("{} differs:\n--- expected\n{want}\n--- actual\n{actual}", expected.display()))
}

#[test]
fn one_case_per_finding_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    set_modes(&root);
    let mut cases: Vec<String> = std::fs::read_dir(&root)
        .expect("cases")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".args")).map(str::to_owned))
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "{cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<String> = std::fs::read_to_string(root.join(format!("{case}.args")))
            .expect("args")
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let (json, code) = run(&args, "json");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{case}: {e}\n{json}"));
        let codes: Vec<&str> =
            v["findings"].as_array().into_iter().flatten().filter_map(|f| f["code"].as_str()).collect();
        if !codes.contains(&case.as_str()) {
            failures.push(format!("{case}: no finding with code {case}: {codes:?}"));
        }
        let errors = v["summary"]["errors"].as_u64().unwrap_or(0);
        let want_exit = if case == "io" {
            2
        } else if errors > 0 {
            1
        } else {
            0
        };
        if code != want_exit {
            failures.push(format!("{case}: exit {code}, expected {want_exit}"));
        }
        failures.extend(check(&root.join(format!("{case}.json")), &json));
        let (human, _) = run(&args, "human");
        failures.extend(check(&root.join(format!("{case}.txt")), &human));
        for secret in ["GLANCE_PASS", "SERVICE_PASS", "ADMIN_TOKEN", "KEYSTONE_PASS"] {
            if json.contains(secret) || human.contains(secret) {
                failures.push(format!("{case}: {secret} shown"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn github_annotations() {
    set_modes(&Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR));
    let args = vec!["--config-file".to_owned(), format!("{DIR}/invalid-value.conf")];
    let (out, code) = run(&args, "github");
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "::error file=tests/data/findings/invalid-value.conf,line=9,col=20,title=stackauth invalid-value::"
        ),
        "{out}"
    );
}

#[test]
fn fatal_warnings_and_excluded_groups() {
    set_modes(&Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR));
    let args = |extra: &[&str]| {
        let mut a = vec!["--config-file".to_owned(), format!("{DIR}/deprecated-name.conf")];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    assert_eq!(run(&args(&[]), "json").1, 0);
    assert_eq!(run(&args(&["--fatal-warnings"]), "json").1, 1);
    let (json, code) = run(&args(&["--fatal-warnings", "--exclude-group", "keystone_authtoken"]), "json");
    assert_eq!(code, 0, "{json}");
}

/// Keystone's own options, from `oslo-config-generator --format yaml`
/// (tests/data/optdata, provenance in its README), validate a keystone.conf
/// without Python, its auth group included.
#[test]
fn a_real_service_s_opt_data() {
    let args: Vec<String> =
        ["--opt-data", "tests/data/optdata/keystone.yaml", "--config-file", "tests/data/keystone.conf"]
            .map(String::from)
            .to_vec();
    let (json, code) = run(&args, "json");
    assert_eq!(code, 1, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (s("code"), s("option"), s("suggestion"))
        })
        .collect();
    let has = |code: &str, option: &str| found.iter().any(|(c, o, _)| c == code && o == option);
    assert!(has("invalid-value", "max_project_tree_depth"), "{found:?}");
    assert!(has("invalid-value", "enabled"), "{found:?}");
    assert!(
        found.iter().any(|(c, o, s)| c == "unknown-option" && o == "public_endpint" && s.contains("public_endpoint")),
        "{found:?}"
    );
    // The auth group is checked with the password plugin's schema: a project
    // name without its domain.
    assert!(has("auth-option", "project_name"), "{found:?}");
    assert!(!found.iter().any(|(c, o, _)| c == "unknown-option" && (o == "username" || o == "password")), "{found:?}");
    assert!(!json.contains("KEYSTONE_PASS"));
}

#[test]
fn generate_and_schema_commands() {
    let cmd = stackauth;
    let (ini, code) = cmd(&["generate", "--namespace", "keystonemiddleware.auth_token"]);
    assert_eq!(code, 0);
    assert!(ini.contains("[keystone_authtoken]") && ini.contains("#www_authenticate_uri = <None>"), "{ini}");
    let (toml, code) =
        cmd(&["generate", "--format", "toml", "--schema-url", "schema/keystonemiddleware.auth_token.json"]);
    assert_eq!(code, 0);
    assert!(toml.starts_with("#:schema schema/keystonemiddleware.auth_token.json\n"), "{toml}");
    let (yaml, code) =
        cmd(&["generate", "--format", "yaml", "--opt-data", "tests/data/optdata/keystone.yaml", "--minimal"]);
    assert_eq!(code, 0);
    assert!(yaml.contains("options:"), "{yaml}");
    let (schema, code) = cmd(&["schema", "--namespace", "keystoneauth:service_user"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&schema).expect("json");
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(v["properties"]["service_user"]["properties"]["auth_type"].is_object(), "{v}");
    let (_, code) = cmd(&["generate", "--namespace", "nope"]);
    assert_eq!(code, 2);
}

/// Every plugin keystoneauth has (built by stackauth or only recognised):
/// `--namespace keystoneauth:GROUP:PLUGIN` gives `generate` and `schema`
/// its options beside the loading, session and adapter ones, secrets
/// marked; `validate` with that namespace knows them.
#[test]
fn generate_and_schema_per_plugin() {
    let cmd = stackauth;
    let plugins = stackauth::auth::PluginRegistry::builtin();
    let mut checked = 0;
    for name in plugins.names() {
        let ns = format!("keystoneauth:service_user:{name}");
        let (ini, code) = cmd(&["generate", "--namespace", &ns]);
        assert_eq!(code, 0, "{name}");
        let (schema, code) = cmd(&["schema", "--namespace", &ns]);
        assert_eq!(code, 0, "{name}");
        let v: serde_json::Value = serde_json::from_str(&schema).expect("json");
        let props = &v["properties"]["service_user"]["properties"];
        assert!(props["auth_type"].is_object() && props["cafile"].is_object(), "{name}: {schema}");
        for o in plugins.get(name).expect("listed").options() {
            assert!(ini.contains(&format!("\n#{} = ", o.dest())), "{name}: no {} in\n{ini}", o.dest());
            assert!(props[o.dest()].is_object(), "{name}: no {} in the schema", o.dest());
            if o.is_secret() {
                assert_eq!(props[o.dest()]["writeOnly"], true, "{name}: {} is secret", o.dest());
            }
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked}");
    let (_, code) = cmd(&["generate", "--namespace", "keystoneauth:service_user:nope"]);
    assert_eq!(code, 2);
}
