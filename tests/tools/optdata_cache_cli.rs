//! `stackauth validate --opt-data x.yaml` keeps the parsed YAML in the
//! user's cache directory: the output is the same with the cache empty,
//! filled, damaged or turned off (`STACKAUTH_OPTDATA_CACHE=0`).

use crate::common;

use std::path::Path;

use common::Dir;
use common::process::isolated;

fn validate(home: &Dir, yaml: &Path, conf: &Path, cache: Option<&str>) -> (i32, String, String) {
    let mut c = isolated(env!("CARGO_BIN_EXE_stackauth"), home);
    c.arg("validate").arg("--opt-data").arg(yaml).arg("--config-file").arg(conf);
    if let Some(v) = cache {
        c.env("STACKAUTH_OPTDATA_CACHE", v);
    }
    let o = c.output().expect("runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
}

#[test]
fn validate_gives_the_same_findings_whatever_the_cache_holds() {
    let home = Dir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = home.write("keystone.yaml", std::fs::read(root.join("tests/data/optdata/keystone.yaml")).expect("read"));
    // An unknown option and a bad value: findings that carry positions.
    let conf = home.write("keystone.conf", "[DEFAULT]\ndebug = maybe\nnot_an_option = 1\n[token]\nexpiration = x\n");
    let off = validate(&home, &yaml, &conf, Some("0"));
    assert_eq!(off.0, 1, "{off:?}");
    let all = format!("{}{}", off.1, off.2);
    assert!(all.contains("not_an_option") && all.contains("maybe"), "{all}");
    let cache = home.path().join(".cache/stackauth/optdata");
    assert!(entries(&cache).is_empty(), "turned off: nothing written");

    assert_eq!(validate(&home, &yaml, &conf, None), off, "cache empty");
    let written = entries(&cache);
    assert_eq!(written.len(), 1, "one entry in $HOME/.cache/stackauth/optdata");
    assert_eq!(validate(&home, &yaml, &conf, None), off, "from the cache");

    std::fs::write(&written[0], b"damaged").expect("write");
    assert_eq!(validate(&home, &yaml, &conf, None), off, "damaged entry");

    let elsewhere = home.path().join("elsewhere");
    assert_eq!(validate(&home, &yaml, &conf, Some(elsewhere.to_str().expect("utf-8"))), off);
    assert_eq!(entries(&elsewhere).len(), 1, "STACKAUTH_OPTDATA_CACHE names the directory");
}
