//! `$opt` and `${group.opt}` substitution.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType, Value};
use stackauth::source::Env;

fn reg() -> stackauth::opt::Registry {
    registry([
        ("DEFAULT", Opt::string("state_path").default("/var/lib/glance")),
        ("DEFAULT", Opt::string("host").default("node1")),
        ("oslo_concurrency", Opt::string("lock_path").default("$state_path/lock")),
        ("oslo_concurrency", Opt::string("other")),
        ("g", Opt::string("a")),
        ("g", Opt::string("b")),
        ("g", Opt::string("host")),
        ("g", Opt::string("password").secret()),
        ("g", Opt::new("port", OptType::port())),
        ("g", Opt::new("items", OptType::list())),
    ])
}

fn load(body: &str) -> Result<stackauth::Snapshot, stackauth::LoadError> {
    let d = Dir::new();
    let p = d.write("i.conf", body);
    load_file(&reg(), &p)
}

#[test]
fn defaults_interpolate_too() {
    let s = load("[DEFAULT]\n").expect("loads");
    assert_eq!(text(&s, "oslo_concurrency", "lock_path"), "/var/lib/glance/lock");
    let s = load("[DEFAULT]\nstate_path = /srv\n").expect("loads");
    assert_eq!(text(&s, "oslo_concurrency", "lock_path"), "/srv/lock");
}

#[test]
fn same_group_first_then_default() {
    let s = load("[g]\nhost = local\na = $host\n[oslo_concurrency]\nother = $host\n").expect("loads");
    assert_eq!(text(&s, "g", "a"), "local");
    assert_eq!(text(&s, "oslo_concurrency", "other"), "node1");
}

#[test]
fn braces_and_dotted_names() {
    let s = load("[g]\na = ${oslo_concurrency.lock_path}.x\nb = $oslo_concurrency.lock_path\n").expect("loads");
    assert_eq!(text(&s, "g", "a"), "/var/lib/glance/lock.x");
    assert_eq!(text(&s, "g", "b"), "/var/lib/glance/lock");
}

#[test]
fn escapes_and_lone_dollars() {
    let s = load("[g]\na = $$5 and \\$x and $ and $1\n").expect("loads");
    assert_eq!(text(&s, "g", "a"), "$5 and $x and $ and $1");
}

#[test]
fn a_dollar_in_a_secret_is_interpolated_as_oslo_config_does() {
    // oslo.config interpolates secrets too: `$host` is substituted (with a
    // warning), `$$` is a literal `$`, and a reference to no option fails.
    let s = load("[g]\nhost = h1\npassword = pa$$w0rd$host\n").expect("loads");
    assert_eq!(text(&s, "g", "password"), "pa$w0rdh1");
    assert_eq!(warnings_with(&s, Code::InterpolatedSecret).len(), 1);
    let e = expect_err(load("[g]\npassword = pa$w0rd\n"));
    let errs = errors(&e);
    assert_eq!(errs[0].code, Code::Interpolation);
    assert!(!errs[0].to_string().contains("w0rd"), "{}", errs[0]);
}

#[test]
fn a_literal_option_is_taken_as_written() {
    // A Rust application's own choice for its own options.
    let d = Dir::new();
    let p = d.write("i.conf", "[g]\npassword = pa$$w0rd$host\n");
    let reg = registry([("g", Opt::string("password").secret().literal())]);
    let s = load_file(&reg, &p).expect("loads");
    assert_eq!(text(&s, "g", "password"), "pa$$w0rd$host");
}

#[test]
fn a_value_that_interpolates_a_secret_is_secret() {
    let s = load("[g]\npassword = s3cret\na = mysql://u:$password@db\n").expect("loads");
    let r = s.get("g", "a").expect("set");
    assert!(r.secret);
    assert_eq!(r.display_value(), "****");
    assert_eq!(text(&s, "g", "a"), "mysql://u:s3cret@db");
    assert!(matches!(r.value, Some(Value::Secret(_))));
}

#[test]
fn interpolation_happens_before_typing() {
    let s = load("[DEFAULT]\n[g]\nb = 8080\nport = $b\nitems = x,$state_path\n").expect("loads");
    assert_eq!(s.value("g", "port"), Some(&Value::Int(8080)));
    assert_eq!(text(&s, "g", "items"), "x,/var/lib/glance");
}

#[test]
fn environment_values_interpolate() {
    let reg = reg();
    let s = Loader::new(&reg).env(Env::from_pairs([("OS_G__A", "$state_path/x")])).load().expect("loads");
    assert_eq!(text(&s, "g", "a"), "/var/lib/glance/x");
}

#[test]
fn unknown_references_are_errors_with_a_location() {
    let e = expect_err(load("[g]\na = $nope/x\n"));
    let errs = errors(&e);
    assert_eq!(errs[0].code, Code::Interpolation);
    assert!(errs[0].message.contains("\"$nope\""), "{}", errs[0].message);
    assert_eq!(errs[0].origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(2));
}

#[test]
fn cycles_are_detected_and_named() {
    let e = expect_err(load("[g]\na = x$b\nb = y$a\n"));
    let errs = errors(&e);
    assert!(errs.iter().all(|d| d.code == Code::InterpolationCycle), "{e}");
    assert!(errs[0].message.contains("[g] a -> [g] b -> [g] a"), "{}", errs[0].message);
    let e = expect_err(load("[g]\na = $a\n"));
    assert!(errors(&e)[0].message.contains("[g] a -> [g] a"));
}

#[test]
fn unset_references_give_empty_text() {
    let s = load("[g]\na = [$b]\n").expect("loads");
    assert_eq!(text(&s, "g", "a"), "[]");
}
