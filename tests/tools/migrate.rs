//! `migrate`: legacy keystone_authtoken files of several shapes, bytes of
//! untouched lines kept, idempotence, moved groups, INI to TOML, and the
//! command's --check, --diff and --in-place.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::*;
use stackauth::Loader;
use stackauth::opt::{DeprecatedName, Opt, OptType, Registry};
use stackauth::tools::migrate::{Migration, migrate_ini, to_toml};

fn km() -> Registry {
    stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace")
}

fn migrate(text: &str) -> Migration {
    let m = migrate_ini(text, Path::new("test.conf"), &km()).unwrap_or_else(|e| panic!("{e:?}"));
    let again = migrate_ini(&m.migrated, Path::new("test.conf"), &km()).expect("migrates again");
    assert!(!again.changed(), "not idempotent:\n{}\n---\n{}", m.migrated, again.migrated);
    m
}

/// Every line of `before` that the migration should not touch is in
/// `after`, byte for byte and in the same order.
fn untouched_lines_kept(before: &str, after: &str, touched: &[&str]) {
    let kept: Vec<&str> =
        before.split_inclusive('\n').filter(|l| !touched.iter().any(|t| l.trim_start().starts_with(t))).collect();
    let mut rest = after;
    for l in kept {
        match rest.find(l) {
            Some(i) => rest = &rest[i + l.len()..],
            None => panic!("line {l:?} lost or moved:\n{after}"),
        }
    }
}

#[test]
fn a_full_legacy_group_becomes_a_modern_one() {
    let before = "# Glance\n[DEFAULT]\ndebug = true\n\n[keystone_authtoken]\n# where users authenticate\nauth_uri = http://ks:5000\nauth_host = ks.example.com\nauth_port = 35357\nauth_protocol = https\n; the service user\nadmin_user = glance\nadmin_password = \"s3cret $x\"\nadmin_tenant_name = service\nmemcache_servers = c1:11211,c2:11211\n";
    let m = migrate(before);
    assert_eq!(
        m.migrated,
        "# Glance\n[DEFAULT]\ndebug = true\n\n[keystone_authtoken]\n# where users authenticate\nwww_authenticate_uri = http://ks:5000\n; the service user\nauth_type = password\nauth_url = https://ks.example.com:35357\nusername = glance\npassword = \"s3cret $x\"\nproject_name = service\nuser_domain_id = default\nproject_domain_id = default\nmemcached_servers = c1:11211,c2:11211\n"
    );
    untouched_lines_kept(before, &m.migrated, &["auth_", "admin_", "memcache_"]);
    assert!(m.changes.len() >= 4, "{:?}", m.changes);
}

#[test]
fn ipv6_hosts_admin_prefixes_and_partial_parts() {
    let m = migrate("[keystone_authtoken]\nauth_host = fd00::10\nauth_admin_prefix = /identity/\n");
    assert_eq!(m.migrated, "[keystone_authtoken]\nidentity_uri = https://[fd00::10]:35357/identity\n");
    let m = migrate("[keystone_authtoken]\nauth_port = 5000\n");
    assert_eq!(m.migrated, "[keystone_authtoken]\nidentity_uri = https://127.0.0.1:5000\n");
}

#[test]
fn old_and_new_names_both_set_keep_the_new() {
    let m = migrate(
        "[keystone_authtoken]\nwww_authenticate_uri = http://new\nauth_uri = http://old\nidentity_uri = https://new:35357\nauth_host = old\n",
    );
    assert_eq!(
        m.migrated,
        "[keystone_authtoken]\nwww_authenticate_uri = http://new\nidentity_uri = https://new:35357\n"
    );
}

#[test]
fn current_files_are_not_changed_at_all() {
    for f in [
        "examples/conf/keystone_authtoken-modern.conf",
        "tests/data/oslo-corners.conf",
        "tests/data/crlf.conf",
        "tests/data/bom.conf",
    ] {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).expect("read");
        let m = migrate_ini(&text, Path::new(f), &km()).expect("migrates");
        assert!(!m.changed(), "{f} changed:\n{}", m.migrated);
    }
}

#[test]
fn line_endings_and_continuations_are_kept() {
    let before = "[keystone_authtoken]\r\nauth_uri = http://x\r\nmemcache_servers = a,\r\n  b\r\n# end\r\n";
    let m = migrate(before);
    assert_eq!(
        m.migrated,
        "[keystone_authtoken]\r\nwww_authenticate_uri = http://x\r\nmemcached_servers = a,\r\n  b\r\n# end\r\n"
    );
}

#[test]
fn options_moved_to_another_group_go_there() {
    let mut reg = Registry::new();
    reg.register_opt("oslo_concurrency", Opt::string("lock_path").deprecated_name(DeprecatedName::group("DEFAULT")))
        .expect("register");
    reg.register_opt(
        "new_group",
        Opt::new("workers", OptType::integer()).deprecated_name(DeprecatedName::name_in_group("threads", "DEFAULT")),
    )
    .expect("register");
    let before = "[DEFAULT]\n# lock files\nlock_path = /var/lock\nthreads = 4\ndebug = true\n\n[oslo_concurrency]\n# concurrency\n";
    let m = migrate_ini(before, Path::new("a.conf"), &reg).expect("migrates");
    assert_eq!(
        m.migrated,
        "[DEFAULT]\n# lock files\ndebug = true\n\n[oslo_concurrency]\n# concurrency\nlock_path = /var/lock\n\n[new_group]\nworkers = 4\n"
    );
    assert!(!migrate_ini(&m.migrated, Path::new("a.conf"), &reg).expect("again").changed());
}

#[test]
fn broken_files_are_refused_not_rewritten() {
    let e = migrate_ini("[keystone_authtoken\nauth_uri = x\n", Path::new("b.conf"), &km()).expect_err("broken");
    assert!(e[0].to_string().contains("b.conf:1:"), "{}", e[0]);
}

#[test]
fn to_toml_keeps_comments_and_means_the_same() {
    let d = Dir::new();
    let ini = "# Top\n[DEFAULT]\n; a note\ndebug = true\n\n[keystone_authtoken]\n# cache\ntoken_cache_time = 600\nmemcached_servers = a:1,b:2\nwww_authenticate_uri = \"http://ks:5000\"\nregion_name = Region \"One\"\n[DEFAULT]\nmore = 1\n";
    let toml = to_toml(ini, Path::new("a.conf"), &km()).expect("converts");
    assert!(toml.starts_with("# Top\n"), "{toml}");
    assert!(toml.contains("# a note") && toml.contains("# cache"), "{toml}");
    assert!(toml.contains("token_cache_time = 600\n"), "{toml}");
    assert!(toml.contains("region_name = \"Region \\\"One\\\"\""), "{toml}");
    toml.parse::<toml::Table>().unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let reg = km();
    let a = load_file(&reg, &d.write("a.conf", ini)).expect("ini loads");
    let b = load_file(&reg, &d.write("a.toml", &toml)).expect("toml loads");
    for g in a.groups() {
        for (name, r) in g.iter() {
            assert_eq!(r.value.as_ref(), b.value(g.name(), name), "[{}] {name}", g.name());
        }
    }
    let _ = Loader::new(&reg);
}

fn stackauth(args: &[&str]) -> (String, String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_stackauth")).args(args).output().expect("runs");
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
        o.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_command_checks_diffs_and_rewrites_in_place() {
    let d = Dir::new();
    let legacy = d.write("glance-api.conf", "[keystone_authtoken]\nauth_uri = http://ks:5000\n");
    let current = d.write("current.conf", "[keystone_authtoken]\nwww_authenticate_uri = http://ks:5000\n");
    let p = |x: &std::path::PathBuf| x.to_str().expect("utf-8").to_owned();
    assert_eq!(stackauth(&["migrate", "--check", &p(&current)]).2, 0);
    let (_, err, code) = stackauth(&["migrate", "--check", &p(&legacy)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("auth_uri -> www_authenticate_uri"), "{err}");
    let (out, _, code) = stackauth(&["migrate", "--diff", &p(&legacy)]);
    assert_eq!(code, 0);
    assert!(out.contains("-auth_uri = http://ks:5000\n+www_authenticate_uri = http://ks:5000"), "{out}");
    assert_eq!(std::fs::read_to_string(&legacy).expect("read"), "[keystone_authtoken]\nauth_uri = http://ks:5000\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let (_, err, code) = stackauth(&["migrate", "--in-place", &p(&legacy)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&legacy).expect("read"),
        "[keystone_authtoken]\nwww_authenticate_uri = http://ks:5000\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&legacy).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("stackauth"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (out, _, code) = stackauth(&["migrate", "--to", "toml", &p(&legacy)]);
    assert_eq!(code, 0);
    assert_eq!(out, "[keystone_authtoken]\nwww_authenticate_uri = \"http://ks:5000\"\n");
    let (_, err, code) = stackauth(&["migrate", "--check", "/nonexistent/x.conf"]);
    assert_eq!(code, 2, "{err}");
}

/// `--in-place` writes a temporary file beside the old one and renames it
/// over: when the temporary file cannot be written the old file is left
/// as it was; the owner is kept where the process may set it (root).
#[cfg(unix)]
#[test]
fn writing_in_place_keeps_the_owner_and_fails_whole() {
    use stackauth::tools::migrate::write_in_place;
    use std::os::unix::fs::MetadataExt;
    let d = Dir::new();
    let f = d.write("glance-api.conf", "old\n");
    // The temporary file's name is taken (by a directory): nothing written.
    let tmp = d.path().join(format!(".glance-api.conf.stackauth-{}", std::process::id()));
    std::fs::create_dir(&tmp).expect("mkdir");
    assert!(write_in_place(&f, "new\n").is_err());
    assert_eq!(std::fs::read_to_string(&f).expect("read"), "old\n");
    std::fs::remove_dir(&tmp).expect("rmdir");
    // Owned by someone else (possible as root only): still theirs after.
    let other = std::os::unix::fs::chown(&f, Some(4242), Some(4343)).is_ok();
    write_in_place(&f, "new\n").expect("written");
    assert_eq!(std::fs::read_to_string(&f).expect("read"), "new\n");
    let meta = std::fs::metadata(&f).expect("meta");
    if other {
        assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
    }
    assert_eq!(std::fs::read_dir(d.path()).expect("dir").count(), 1, "no temporary file left");
}
