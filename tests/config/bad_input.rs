//! Bad input gets a clear error naming the file (and line), never a panic:
//! the corpus of tests/common/corpus.rs loaded with the library, and a few
//! cases of their own.

use crate::common;

use common::corpus::{At, Case, Expect, corpus};
use common::*;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType};
use stackauth::{LoadError, Loader, Snapshot};

fn reg() -> stackauth::opt::Registry {
    registry([("g", Opt::string("a")), ("g", Opt::new("n", OptType::integer()))])
}

fn first_error(name: &str, content: &[u8]) -> stackauth::Diagnostic {
    let d = Dir::new();
    let p = d.write(name, content);
    let e = expect_err(load_file(&reg(), &p));
    let err = errors(&e)[0].clone();
    let shown = err.to_string();
    assert!(shown.contains(name), "{shown}");
    err
}

#[test]
fn invalid_utf8_names_the_line_and_column() {
    let e = first_error("bin.conf", b"[g]\na = ok\nn = \xff\xfe\n");
    assert_eq!(e.code, Code::Io);
    assert!(e.message.contains("UTF-8"));
    let loc = e.origin.as_ref().and_then(|o| o.location()).expect("loc");
    assert_eq!((loc.line, loc.column), (3, 5));
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    let d = Dir::new();
    for (name, body) in [("empty.conf", ""), ("c.conf", "# nothing\n; here\n\n"), ("e.toml", "")] {
        let p = d.write(name, body);
        load_file(&reg(), &p).expect("loads");
    }
}

#[cfg(unix)]
#[test]
fn a_secret_in_a_world_readable_file_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let reg = registry([("g", Opt::string("password").secret()), ("g", Opt::string("user"))]);
    let d = Dir::new();
    let open = d.write("open.conf", "[g]\npassword = hunter2\n");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let s = load_file(&reg, &open).expect("loads");
    let w = warnings_with(&s, Code::InsecureFile);
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("[g] password") && w[0].message.contains("0644"), "{}", w[0]);
    assert!(!w[0].to_string().contains("hunter2"));
    for (name, mode, body) in [("group.conf", 0o640, "[g]\npassword = x\n"), ("plain.conf", 0o644, "[g]\nuser = x\n")] {
        let p = d.write(name, body);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
        assert!(warnings_with(&load_file(&reg, &p).expect("loads"), Code::InsecureFile).is_empty(), "{name}");
    }
}

#[test]
fn deep_interpolation_chains_end_in_an_error_not_a_crash() {
    let n = 5000;
    let mut reg = stackauth::opt::Registry::new();
    for i in 0..n {
        reg.register_opt("g", Opt::string(format!("o{i}"))).expect("register");
    }
    let mut body = String::from("[g]\n");
    for i in 0..n - 1 {
        body.push_str(&format!("o{i} = x$o{}\n", i + 1));
    }
    body.push_str(&format!("o{} = end\n", n - 1));
    let d = Dir::new();
    let p = d.write("deep.conf", body);
    // Run where a test thread's stack is small, as a daemon's might be.
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || load_file(&reg, &p).map(|s| s.value("g", "o0").map(|v| v.to_plain_string().len())))
        .expect("thread")
        .join()
        .expect("no crash");
    match outcome {
        Ok(len) => assert_eq!(len, Some(n - 1 + 3)),
        Err(e) => assert!(errors(&e)[0].code == Code::Interpolation && e.to_string().contains("nested"), "{e}"),
    }
}

fn load_case(reg: &stackauth::opt::Registry, case: &Case) -> Result<Snapshot, LoadError> {
    let loader = Loader::new(reg);
    let loader = if case.dir { loader.config_dir(&case.path) } else { loader.config_file(&case.path) };
    loader.load()
}

/// What is wrong with the outcome of loading `case`, if anything.
fn judge(case: &Case, outcome: Result<Snapshot, LoadError>) -> Option<String> {
    match (&case.expect, outcome) {
        (Expect::Loads, Ok(_)) => None,
        (Expect::Loads, Err(e)) => Some(format!("expected to load, got {e}")),
        (Expect::Error { .. }, Ok(_)) => Some("expected an error, it loaded".into()),
        (Expect::Error { code, at, says }, Err(e)) => {
            let Some(d) = e.errors().find(|d| d.code == *code) else {
                return Some(format!("no {code} error: {e}"));
            };
            let shown = d.to_string();
            let line = d.origin.as_ref().and_then(|o| o.location()).map(|l| l.line);
            let place_ok = match at {
                At::Line(n) => line == Some(*n),
                At::AnyLine => line.is_some_and(|l| l > 0),
                At::File => line == Some(0),
            };
            if !shown.contains(&case.names) || !shown.contains(says) || !place_ok {
                Some(format!("expected {code} at {at:?} naming {:?} and saying {says:?}, got: {shown}", case.names))
            } else {
                None
            }
        }
    }
}

#[test]
fn every_corpus_input_gets_a_clear_answer_and_no_panic() {
    let d = Dir::new();
    let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let cases = corpus(&d);
    assert!(cases.len() >= 25, "{}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load_case(&reg, case))) {
            Ok(outcome) => failures.extend(judge(case, outcome).map(|f| format!("{}: {f}", case.name))),
            Err(_) => failures.push(format!("{}: panicked", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The inputs that load, loaded right.
#[test]
fn what_loads_from_the_corpus_loads_right() {
    let d = Dir::new();
    let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let cases = corpus(&d);
    let load = |name: &str| {
        let case = cases.iter().find(|c| c.name == name).expect("case");
        load_case(&reg, case).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let s = load("long-line.conf");
    assert_eq!(text(&s, "keystone_authtoken", "region_name").len(), 1 << 20);
    let s = load("many-groups.conf");
    assert_eq!(warnings_with(&s, Code::UnknownGroup).len(), 100_000);
    // A repeated group: the later value wins, and the earlier one is
    // reported at its line with the line that beat it.
    let s = load("duplicate-groups.conf");
    assert_eq!(text(&s, "keystone_authtoken", "region_name"), "RegionTwo");
    let w = warnings_with(&s, Code::DuplicateOption);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(2));
    assert!(w[0].message.contains("line 5"), "{}", w[0]);
    // Keys with control characters are unknown options, shown escaped (no
    // terminal escape sequence gets through).
    let s = load("control-keys.conf");
    let w = warnings_with(&s, Code::UnknownOption);
    assert_eq!(w.len(), 2, "{w:?}");
    let shown: String = w.iter().map(|d| d.to_string()).collect();
    assert!(shown.contains("a\\u{7}b") && shown.contains("\\u{1b}[31mred"), "{shown}");
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown}");
}

#[test]
fn the_same_value_twice_is_not_a_duplicate() {
    let d = Dir::new();
    let p = d.write("same.conf", "[g]\na = x\n[g]\na = x\n");
    let s = load_file(&reg(), &p).expect("loads");
    assert!(warnings_with(&s, Code::DuplicateOption).is_empty());
    let multi = registry([("g", Opt::multi_string("m"))]);
    let p = d.write("multi.conf", "[g]\nm = 1\nm = 2\n");
    let s = load_file(&multi, &p).expect("loads");
    assert!(warnings_with(&s, Code::DuplicateOption).is_empty());
}

#[test]
fn interpolation_that_multiplies_is_stopped() {
    let mut reg = stackauth::opt::Registry::new();
    for i in 0..12 {
        reg.register_opt("g", Opt::string(format!("o{i}"))).expect("register");
    }
    let mut body = format!("[g]\no0 = {}\n", "x".repeat(64));
    for i in 1..12 {
        body.push_str(&format!("o{i} = {}\n", format!("$o{}", i - 1).repeat(10)));
    }
    let d = Dir::new();
    let e = expect_err(load_file(&reg, &d.write("laughs.conf", body)));
    let err = errors(&e).into_iter().find(|d| d.code == Code::Interpolation).expect("an interpolation error");
    assert!(err.message.contains("16 MiB"), "{err}");
    assert!(err.to_string().contains("laughs.conf"), "{err}");
}
