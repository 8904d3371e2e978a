//! Compound deprecations: legacy auth_protocol/auth_host/auth_port/
//! auth_admin_prefix -> identity_uri.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{Compound, CompoundPart, Opt, OptType, Registry};
use stackauth::source::{Env, Origin};

const G: &str = "keystone_authtoken";

fn reg() -> Registry {
    let mut r = registry([(G, Opt::new("identity_uri", OptType::uri()))]);
    let part = |name: &str, t: OptType, default: &str| CompoundPart {
        name: name.into(),
        opt_type: t,
        default: default.into(),
    };
    r.register_compound(
        G,
        Compound {
            target: "identity_uri".into(),
            parts: vec![
                part("auth_protocol", OptType::string_choices(["http", "https"]), "https"),
                part("auth_host", OptType::host_address(), "127.0.0.1"),
                part("auth_port", OptType::port(), "35357"),
                part("auth_admin_prefix", OptType::string(), ""),
            ],
            template: Compound::parse_template(
                "{auth_protocol}://{auth_host:host}:{auth_port}{auth_admin_prefix:path}",
            )
            .expect("template"),
            reason: Some("Set identity_uri instead.".into()),
        },
    )
    .expect("compound");
    r
}

fn identity_uri(body: &str) -> (String, stackauth::Snapshot) {
    let d = Dir::new();
    let p = d.write("k.conf", format!("[{G}]\n{body}"));
    let s = load_file(&reg(), &p).expect("loads");
    (text(&s, G, "identity_uri"), s)
}

#[test]
fn all_parts_combine() {
    let (uri, s) =
        identity_uri("auth_protocol = http\nauth_host = keystone\nauth_port = 5000\nauth_admin_prefix = /identity/\n");
    assert_eq!(uri, "http://keystone:5000/identity");
    let r = s.get(G, "identity_uri").expect("set");
    let parts: Vec<&str> = r.compound.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(parts, ["auth_protocol", "auth_host", "auth_port", "auth_admin_prefix"]);
    assert_eq!(warnings_with(&s, Code::DeprecatedName).len(), 4);
    assert!(warnings_with(&s, Code::UnknownOption).is_empty());
}

#[test]
fn missing_parts_take_the_legacy_defaults() {
    let (uri, s) = identity_uri("auth_host = keystone\n");
    assert_eq!(uri, "https://keystone:35357");
    let r = s.get(G, "identity_uri").expect("set");
    assert_eq!(r.compound[0], ("auth_protocol".into(), Origin::Default));
    assert!(matches!(r.compound[1].1, Origin::File(_)));
    let (uri, _) = identity_uri("auth_port = 5000\n");
    assert_eq!(uri, "https://127.0.0.1:5000");
}

#[test]
fn ipv6_hosts_are_bracketed() {
    assert_eq!(identity_uri("auth_host = ::1\n").0, "https://[::1]:35357");
    assert_eq!(identity_uri("auth_host = fd00::5\nauth_admin_prefix = x\n").0, "https://[fd00::5]:35357/x");
}

#[test]
fn the_new_option_in_the_same_file_wins() {
    let (uri, s) = identity_uri("auth_host = old\nidentity_uri = https://new:5000\n");
    assert_eq!(uri, "https://new:5000");
    assert!(s.get(G, "identity_uri").expect("set").compound.is_empty());
}

#[test]
fn legacy_parts_in_a_later_file_beat_the_new_option_in_an_earlier_one() {
    let d = Dir::new();
    let a = d.write("a.conf", format!("[{G}]\nidentity_uri = https://new:5000\n"));
    let b = d.write("b.conf", format!("[{G}]\nauth_host = later\n"));
    let reg = reg();
    let s = Loader::new(&reg).config_file(&a).config_file(&b).load().expect("loads");
    assert_eq!(text(&s, G, "identity_uri"), "https://later:35357");
    // ...and the environment's identity_uri beats both.
    let s = Loader::new(&reg)
        .config_file(&a)
        .config_file(&b)
        .env(Env::from_pairs([("OS_KEYSTONE_AUTHTOKEN__IDENTITY_URI", "https://env:1")]))
        .load()
        .expect("loads");
    assert_eq!(text(&s, G, "identity_uri"), "https://env:1");
}

#[test]
fn a_bad_legacy_part_is_an_error_at_its_position() {
    let d = Dir::new();
    let p = d.write("k.conf", format!("[{G}]\nauth_host = keystone\nauth_port = http\n"));
    let e = expect_err(load_file(&reg(), &p));
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{e}");
    assert_eq!(errs[0].option.as_deref(), Some("auth_port"));
    assert_eq!(errs[0].origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)), Some((3, 13)));
    let p = d.write("k2.conf", format!("[{G}]\nauth_protocol = ftp\n"));
    let e = expect_err(load_file(&reg(), &p));
    assert!(e.to_string().contains("[http, https]"), "{e}");
}

#[test]
fn templates_are_checked_at_registration() {
    assert!(Compound::parse_template("{a").is_err());
    assert!(Compound::parse_template("a}").is_err());
    assert!(Compound::parse_template("{a:nope}").is_err());
    let mut r = Registry::new();
    let c = Compound {
        target: "missing".into(),
        parts: vec![],
        template: Compound::parse_template("x").expect("ok"),
        reason: None,
    };
    assert!(r.register_compound("g", c).is_err());
}
