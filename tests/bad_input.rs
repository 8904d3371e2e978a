//! Bad input gets a clear error naming the file (and line), never a panic.

mod common;

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType};

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
fn binary_junk_is_a_syntax_error() {
    let junk: Vec<u8> = (0u8..=127).cycle().take(4096).filter(|b| *b != b'\n').collect();
    let mut content = b"[g]\n".to_vec();
    content.extend(junk);
    let e = first_error("junk.conf", &content);
    assert!(matches!(e.code, Code::IniSyntax | Code::Io), "{e}");
}

#[test]
fn truncated_files() {
    assert_eq!(first_error("t.conf", b"[g").code, Code::IniSyntax);
    let e = first_error("t.toml", b"[g]\na = \"unterminated");
    assert_eq!(e.code, Code::TomlSyntax);
    assert_eq!(e.origin.as_ref().and_then(|o| o.location()).map(|l| l.line), Some(2));
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let d = Dir::new();
    std::fs::create_dir(d.path().join("x.conf")).expect("mkdir");
    let e = expect_err(Loader::new(&reg()).config_file(d.path().join("x.conf")).load());
    assert!(e.to_string().contains("x.conf"), "{e}");
    let e = expect_err(Loader::new(&reg()).config_dir(d.path().join("x.conf/..").join("x.conf").join("nope")).load());
    assert!(e.to_string().contains("config dir not found"), "{e}");
    let f = d.write("file.conf", "[g]\n");
    let e = expect_err(Loader::new(&reg()).config_dir(&f).load());
    assert!(e.to_string().contains("is not a directory"), "{e}");
}

#[test]
fn long_lines_and_many_groups_load() {
    let d = Dir::new();
    let long = format!("[g]\na = {}\n", "x".repeat(1 << 20));
    let p = d.write("long.conf", long);
    let s = load_file(&reg(), &p).expect("loads");
    assert_eq!(s.value("g", "a").and_then(|v| v.as_str()).map(str::len), Some(1 << 20));
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!("[group{i}]\nk = v\n"));
    }
    let p = d.write("many.conf", many);
    let s = load_file(&reg(), &p).expect("loads");
    assert_eq!(s.unknown().len(), 40_000);
}

#[test]
fn control_characters_in_keys_are_kept_and_reported_as_unknown() {
    let d = Dir::new();
    let p = d.write("ctl.conf", "[g]\na\u{7}b = 1\n");
    let s = load_file(&reg(), &p).expect("loads");
    assert_eq!(warnings_with(&s, Code::UnknownOption).len(), 1);
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

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_config_dir_is_an_error_naming_the_file() {
    let d = Dir::new();
    std::fs::create_dir(d.path().join("conf.d")).expect("mkdir");
    std::os::unix::fs::symlink("loop.conf", d.path().join("conf.d/loop.conf")).expect("link");
    let e = expect_err(Loader::new(&reg()).config_dir(d.path().join("conf.d")).load());
    let msg = e.to_string();
    assert!(msg.contains("loop.conf") && msg.contains("cannot read"), "{msg}");
}
