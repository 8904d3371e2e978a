//! Inputs the fuzz targets (fuzz/, HARDENING.md) found crashing, each kept
//! as a test once fixed.

use std::path::Path;

use serde_json::json;
use stackauth::auth::AccessInfo;

/// fuzz target `migrate`: a comment with control characters was copied
/// into the TOML form as is, and TOML forbids them in comments.
#[test]
fn migrate_to_toml_with_control_characters_in_a_comment() {
    let text = "# Rescope an existing token\u{3}\u{3}\u{7f}.\n[service_user]\nauth_type = v2token\n";
    let registry = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let m = stackauth::tools::migrate::migrate_ini(text, Path::new("x.conf"), &registry).expect("migrates");
    let t = stackauth::tools::migrate::to_toml(&m.migrated, Path::new("x.conf"), &registry).expect("toml");
    let table: toml::Table = t.parse().unwrap_or_else(|e| panic!("invalid TOML ({e}):\n{t}"));
    assert_eq!(table["service_user"]["auth_type"].as_str(), Some("v2token"));
    assert!(t.starts_with("# Rescope an existing token\u{fffd}\u{fffd}\u{fffd}."), "{t}");
}

/// fuzz target `token_response`: a zone offset of 10^17 hours overflowed
/// (a panic with overflow checks, a wrong expiry without).
#[test]
fn a_huge_zone_offset_in_a_token_time_is_refused() {
    for bad in ["2000-02-29T5+5555555555555552222222222:2262222222555555", "2026-11-25T00:00:00+01:99999999999999999"] {
        let body = json!({"token": {"expires_at": bad, "user": {"id": "u"}}});
        let e = AccessInfo::from_v3("tok", &body).expect_err("refused");
        assert!(e.to_string().contains("is not a time"), "{e}");
    }
}
