//! The cache of parsed YAML opt-data (`optdata_cache`): an import through
//! it gives exactly what an uncached import gives, whatever is in the
//! cache directory: nothing, the entry of another file, a damaged entry,
//! an entry someone else could have written, or no usable directory.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::Dir;
use stackauth::tools::optdata::{self, OptData};
use stackauth::tools::optdata_cache::{CacheUse, entry_name, read_data_cached};

fn keystone_yaml() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/optdata/keystone.yaml");
    fs::read_to_string(path).expect("keystone.yaml")
}

/// What an import gives, compared as a whole (registry, warnings with
/// their positions, namespaces, deprecated options, per-option entries).
fn same(cached: &OptData, fresh: &OptData) {
    assert_eq!(cached.registry, fresh.registry);
    assert_eq!(format!("{:?}", cached.warnings), format!("{:?}", fresh.warnings));
    assert_eq!(cached.namespaces, fresh.namespaces);
    assert_eq!(cached.deprecated_options, fresh.deprecated_options);
    assert_eq!(format!("{:?}", cached.entries), format!("{:?}", fresh.entries));
}

/// Imports `path` through the cache in `cache`, checks the result against
/// an uncached import, and says what the cache did.
fn import(path: &Path, cache: &Path) -> (OptData, CacheUse) {
    let (data, used) = read_data_cached(path, cache);
    let data = data.unwrap_or_else(|e| panic!("{e:#?}"));
    same(&data, &optdata::read_data(path).expect("imports"));
    (data, used)
}

fn entry(cache: &Path, yaml: &str) -> PathBuf {
    cache.join(entry_name(yaml.as_bytes()))
}

#[test]
fn a_second_import_comes_from_the_cache_and_is_the_same() {
    let dir = Dir::new();
    let cache = dir.path().join("cache");
    let text = keystone_yaml();
    let yaml = dir.write("keystone.yaml", &text);
    assert_eq!(import(&yaml, &cache).1, CacheUse::Written);
    assert!(entry(&cache, &text).is_file());
    let (data, used) = import(&yaml, &cache);
    assert_eq!(used, CacheUse::Hit);
    assert!(data.registry.len() > 400);
    // The same bytes at another path: the same entry, the new path in the
    // warnings' positions.
    let copy = dir.write("copy.yaml", &text);
    let (data, used) = import(&copy, &cache);
    assert_eq!(used, CacheUse::Hit);
    let at = data.warnings[0].origin.as_ref().and_then(|o| o.location()).map(|l| l.path.to_path_buf());
    assert_eq!(at, Some(copy));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!((mode(&cache), mode(&entry(&cache, &text))), (0o700, 0o600));
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&cache).expect("dir").count(), 1);
    }
}

#[test]
fn a_changed_file_is_imported_again() {
    let dir = Dir::new();
    let cache = dir.path().join("cache");
    let text = keystone_yaml();
    let yaml = dir.write("keystone.yaml", &text);
    import(&yaml, &cache);
    let line = "      dest: debug\n";
    assert!(text.contains(line));
    let changed = text.replacen("      default: false\n      deprecated_for_removal: false\n      deprecated_opts: []\n      deprecated_reason: null\n      deprecated_since: null\n      dest: debug\n", "      default: true\n      deprecated_for_removal: false\n      deprecated_opts: []\n      deprecated_reason: null\n      deprecated_since: null\n      dest: debug\n", 1);
    assert_ne!(changed, text);
    fs::write(&yaml, &changed).expect("write");
    let (data, used) = import(&yaml, &cache);
    assert_eq!(used, CacheUse::Written);
    assert_eq!(data.registry.find("DEFAULT", "debug").and_then(|o| o.default_text()), Some("true"));
    assert_eq!(import(&yaml, &cache).1, CacheUse::Hit);
}

/// An entry is used only for the very bytes it was made from: the old
/// file's entry under the new file's name (as a hash collision would put
/// it) is not.
#[test]
fn an_entry_made_from_other_bytes_is_not_used() {
    let dir = Dir::new();
    let cache = dir.path().join("cache");
    let text = keystone_yaml();
    let yaml = dir.write("keystone.yaml", &text);
    import(&yaml, &cache);
    let other = text.replacen("help: If set to true, the logging level", "help: If set to TRUE, the logging level", 1);
    assert_ne!(other, text);
    fs::copy(entry(&cache, &text), entry(&cache, &other)).expect("copy");
    fs::write(&yaml, &other).expect("write");
    let (data, used) = import(&yaml, &cache);
    assert_eq!(used, CacheUse::Written);
    assert!(data.registry.find("DEFAULT", "debug").expect("debug").help_text().starts_with("If set to TRUE"));
    assert_eq!(import(&yaml, &cache).1, CacheUse::Hit);
}

#[test]
fn a_damaged_entry_is_ignored_and_written_again() {
    let dir = Dir::new();
    let cache = dir.path().join("cache");
    let text = keystone_yaml();
    let yaml = dir.write("keystone.yaml", &text);
    import(&yaml, &cache);
    let path = entry(&cache, &text);
    let whole = fs::read(&path).expect("entry");
    let mut flipped = whole.clone();
    // A byte of the parsed document, near the end (a string of the last
    // option): the checksum catches it.
    let i = whole.len() - 40;
    flipped[i] ^= 0x01;
    for damaged in [whole[..whole.len() / 2].to_vec(), flipped, b"garbage".to_vec(), Vec::new()] {
        fs::write(&path, &damaged).expect("write");
        assert_eq!(import(&yaml, &cache).1, CacheUse::Written);
        assert_eq!(fs::read(&path).expect("entry"), whole, "written again whole");
        assert_eq!(import(&yaml, &cache).1, CacheUse::Hit);
    }
}

#[cfg(unix)]
#[test]
fn an_entry_others_could_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let cache = dir.path().join("cache");
    let text = keystone_yaml();
    let yaml = dir.write("keystone.yaml", &text);
    import(&yaml, &cache);
    let path = entry(&cache, &text);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).expect("chmod");
    assert_eq!(import(&yaml, &cache).1, CacheUse::Written);
    assert_eq!(import(&yaml, &cache).1, CacheUse::Hit);
    // A world-writable directory: not used, not written.
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).expect("chmod");
    assert_eq!(import(&yaml, &cache).1, CacheUse::Unused);
    // A link in place of the entry is not followed.
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o700)).expect("chmod");
    let elsewhere = dir.path().join("elsewhere");
    fs::rename(&path, &elsewhere).expect("move");
    std::os::unix::fs::symlink(&elsewhere, &path).expect("symlink");
    assert_eq!(import(&yaml, &cache).1, CacheUse::Written);
    assert!(!fs::symlink_metadata(&path).expect("entry").file_type().is_symlink(), "replaced by a file");
}

#[test]
fn without_a_usable_directory_or_for_json_and_bad_yaml_the_cache_is_unused() {
    let dir = Dir::new();
    let yaml = dir.write("keystone.yaml", keystone_yaml());
    let not_a_dir = dir.write("file", "x");
    assert_eq!(import(&yaml, &not_a_dir).1, CacheUse::Unused);
    assert_eq!(import(&yaml, &not_a_dir.join("below")).1, CacheUse::Unused);

    let cache = dir.path().join("cache");
    let json = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/optdata/keystone.json");
    assert_eq!(import(&json, &cache).1, CacheUse::Unused);

    let bad = dir.write("bad.yaml", "options:\n  g: {opts: [{name: x\n");
    let (result, used) = read_data_cached(&bad, &cache);
    assert_eq!(used, CacheUse::Unused);
    let (cached, fresh) = (result.expect_err("bad"), optdata::read_data(&bad).expect_err("bad"));
    assert_eq!(format!("{cached:?}"), format!("{fresh:?}"));
    let missing = dir.path().join("missing.yaml");
    let (result, used) = read_data_cached(&missing, &cache);
    assert_eq!(
        (format!("{:?}", result.expect_err("missing")), used),
        (format!("{:?}", optdata::read_data(&missing).expect_err("missing")), CacheUse::Unused)
    );
    assert!(!cache.exists() || fs::read_dir(&cache).expect("dir").count() == 0);
}
