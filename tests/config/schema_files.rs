//! The JSON Schemas in `schema/` match what the code generates, one per
//! built-in namespace. `STACKAUTH_UPDATE_SCHEMAS=1 cargo test --test
//! config schema_files::` rewrites them.

use std::path::PathBuf;

use serde_json::Value;
use stackauth::namespace::{self, BUILTIN};
use stackauth::tools::schema::{DRAFT, builtin_schema_text, schema_file_name};

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema")
}

fn updating() -> bool {
    std::env::var("STACKAUTH_UPDATE_SCHEMAS").is_ok_and(|v| v == "1")
}

#[test]
fn schema_files_are_current() {
    let dir = schema_dir();
    let mut stale = Vec::new();
    for ns in BUILTIN {
        let name = schema_file_name(ns);
        let path = dir.join(&name);
        let expected = builtin_schema_text(ns).expect("a built-in namespace has a schema");
        if updating() {
            std::fs::create_dir_all(&dir).expect("create schema/");
            std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            eprintln!("wrote schema/{name}");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(found) if found == expected => {}
            Ok(_) => stale.push(format!("schema/{name} is stale")),
            Err(e) => stale.push(format!("schema/{name} cannot be read ({e})")),
        }
    }
    assert!(
        stale.is_empty(),
        "{}: run `cargo run -- schema --out schema` (or `STACKAUTH_UPDATE_SCHEMAS=1 cargo test --test config schema_files::`)",
        stale.join("; ")
    );
}

#[test]
fn no_schema_file_without_a_namespace() {
    let Ok(entries) = std::fs::read_dir(schema_dir()) else { return };
    for entry in entries {
        let name = entry.expect("dir entry").file_name().to_string_lossy().into_owned();
        let known = BUILTIN.iter().any(|ns| schema_file_name(ns) == name);
        assert!(known, "schema/{name} belongs to no built-in namespace");
    }
}

#[test]
fn schemas_are_well_formed() {
    for ns in BUILTIN {
        let text = builtin_schema_text(ns).expect("schema");
        assert!(text.ends_with("}\n"), "{ns}: pretty JSON with a trailing newline");
        let schema: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(schema["$schema"], DRAFT, "{ns}");
        assert_eq!(schema["title"], *ns);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], true, "{ns}: other namespaces may add groups");
        let registry = namespace::by_name(ns).expect("registry");
        for group in registry.groups() {
            let g = &schema["properties"][stackauth::opt::normalize_group(group.name())];
            assert_eq!(g["type"], "object", "{ns} [{}]", group.name());
            assert!(g["additionalProperties"].is_boolean(), "{ns} [{}]", group.name());
            let props = g["properties"].as_object().unwrap_or_else(|| panic!("{ns} [{}]: properties", group.name()));
            let has_auth_type = group.opt("auth_type").is_some();
            assert_eq!(g["additionalProperties"], has_auth_type, "{ns} [{}]", group.name());
            for opt in group.opts() {
                let p =
                    props.get(opt.dest()).unwrap_or_else(|| panic!("{ns} [{}] {} missing", group.name(), opt.dest()));
                assert!(p.is_object());
                let typed = p.get("type").is_some() || p.get("anyOf").is_some();
                assert!(typed, "{ns} [{}] {}: no type", group.name(), opt.dest());
                if !opt.help_text().is_empty() {
                    assert!(p["description"].as_str().is_some_and(|d| d.starts_with(opt.help_text())));
                }
                assert_eq!(p.get("deprecated").is_some(), opt.removal().is_some(), "{}", opt.dest());
                assert_eq!(p.get("writeOnly").is_some(), opt.is_secret(), "{}", opt.dest());
                for d in opt.deprecated_names() {
                    let old = d.name.as_deref().unwrap_or(opt.dest());
                    let group_name = d.group.as_deref().unwrap_or(group.name());
                    let alias = &schema["properties"][group_name]["properties"][old];
                    assert_eq!(alias["deprecated"], true, "{ns} [{group_name}] {old}");
                    assert!(alias["description"].as_str().is_some_and(|t| t.contains(opt.dest())));
                }
            }
            for c in group.compounds() {
                for part in &c.parts {
                    assert_eq!(props[&part.name]["deprecated"], true, "{}", part.name);
                }
            }
        }
    }
}

/// The keystonemiddleware schema, checked by hand in a few places.
#[test]
fn keystonemiddleware_schema() {
    let schema: Value =
        serde_json::from_str(&builtin_schema_text("keystonemiddleware.auth_token").expect("schema")).expect("json");
    let g = &schema["properties"]["keystone_authtoken"];
    assert_eq!(g["additionalProperties"], true, "auth plugins add options");
    let p = &g["properties"];
    assert_eq!(p["token_cache_time"]["type"], "integer");
    assert_eq!(p["token_cache_time"]["default"], 300);
    assert_eq!(p["insecure"]["type"], "boolean");
    assert_eq!(p["insecure"]["default"], false);
    assert_eq!(p["memcached_servers"]["anyOf"][0]["type"], "array");
    assert_eq!(p["memcached_servers"]["anyOf"][1]["type"], "string");
    assert_eq!(p["service_token_roles"]["default"], serde_json::json!(["service"]));
    assert_eq!(p["memcache_security_strategy"]["anyOf"][0]["enum"], serde_json::json!(["None", "MAC", "ENCRYPT"]));
    assert_eq!(p["memcache_secret_key"]["writeOnly"], true);
    assert_eq!(p["memcache_secret_key"]["x-stackauth-secret"], true);
    assert_eq!(p["admin_password"]["deprecated"], true);
    assert_eq!(p["auth_uri"]["deprecated"], true);
    assert_eq!(p["auth_plugin"]["deprecated"], true);
    assert_eq!(p["auth_port"]["type"], "integer");
    assert_eq!(p["auth_port"]["maximum"], 65535);
    assert_eq!(p["auth_port"]["default"], 35357);
    assert!(p["auth_host"]["description"].as_str().expect("text").contains("identity_uri"));
}
