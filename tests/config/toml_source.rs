//! TOML files: groups as tables, native types where they fit, positions.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType, Value};

fn reg() -> stackauth::opt::Registry {
    registry([
        ("DEFAULT", Opt::new("bind_port", OptType::port())),
        ("DEFAULT", Opt::new("debug", OptType::boolean())),
        ("DEFAULT", Opt::new("ratio", OptType::float())),
        ("DEFAULT", Opt::string("name")),
        ("glance_store", Opt::new("stores", OptType::list())),
        ("glance_store", Opt::multi_string("hooks")),
        ("glance_store", Opt::new("limits", OptType::dict_of(OptType::integer()))),
        ("glance_store", Opt::new("when", OptType::string())),
    ])
}

fn load(body: &str) -> Result<stackauth::Snapshot, stackauth::LoadError> {
    let d = Dir::new();
    let p = d.write("c.toml", body);
    load_file(&reg(), &p)
}

#[test]
fn native_types_fit_their_options() {
    let s = load(
        "[DEFAULT]\nbind_port = 9292\ndebug = true\nratio = 2\nname = 7\n\
         [glance_store]\nstores = [\"file\", \"http\"]\nhooks = [\"a\", \"b\"]\nlimits = { a = 1, b = 2 }\n\
         when = 2024-01-01T00:00:00Z\n",
    )
    .expect("loads");
    assert_eq!(s.value("DEFAULT", "bind_port"), Some(&Value::Int(9292)));
    assert_eq!(s.value("DEFAULT", "debug"), Some(&Value::Bool(true)));
    assert_eq!(s.value("DEFAULT", "ratio"), Some(&Value::Float(2.0)));
    assert_eq!(text(&s, "DEFAULT", "name"), "7");
    assert_eq!(text(&s, "glance_store", "stores"), "file,http");
    assert_eq!(text(&s, "glance_store", "hooks"), "a,b");
    assert_eq!(text(&s, "glance_store", "limits"), "a:1,b:2");
    assert_eq!(text(&s, "glance_store", "when"), "2024-01-01T00:00:00Z");
}

#[test]
fn strings_are_read_with_the_ini_rules() {
    let s = load(
        "[DEFAULT]\nbind_port = \"9292\"\ndebug = \"yes\"\n[glance_store]\nstores = \"file, http\"\nlimits = \"a:1\"\n",
    )
    .expect("loads");
    assert_eq!(s.value("DEFAULT", "bind_port"), Some(&Value::Int(9292)));
    assert_eq!(s.value("DEFAULT", "debug"), Some(&Value::Bool(true)));
    assert_eq!(text(&s, "glance_store", "stores"), "file,http");
    assert_eq!(text(&s, "glance_store", "limits"), "a:1");
}

#[test]
fn wrong_native_types_are_errors_at_the_value() {
    let e = expect_err(load("[DEFAULT]\nbind_port = 1.5\ndebug = 3\n[glance_store]\nlimits = { a = \"x\" }\n"));
    let errs = errors(&e);
    assert_eq!(errs.len(), 3, "{e}");
    let at: Vec<(u32, u32)> = errs
        .iter()
        .map(|d| d.origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)).expect("loc"))
        .collect();
    assert_eq!(at, [(2, 13), (3, 9), (5, 10)]);
    assert!(errs[0].message.contains("found a float"), "{}", errs[0].message);
    assert!(errs[2].message.contains("key \"a\""), "{}", errs[2].message);
    let e = expect_err(load("[DEFAULT]\nname = [\"a\"]\n"));
    assert!(e.to_string().contains("found an array"), "{e}");
}

#[test]
fn out_of_range_ports_from_native_integers() {
    let e = expect_err(load("[DEFAULT]\nbind_port = 70000\n"));
    assert!(e.to_string().contains("65535"), "{e}");
}

#[test]
fn syntax_errors_have_line_and_column_and_do_not_quote_the_file() {
    let e = expect_err(load("[DEFAULT]\nname = \"s3cret\nnext = 1\n"));
    let errs = errors(&e);
    assert_eq!(errs[0].code, Code::TomlSyntax);
    let loc = errs[0].origin.as_ref().and_then(|o| o.location()).expect("loc");
    assert_eq!(loc.line, 2);
    assert!(!e.to_string().contains("s3cret"), "{e}");
}

#[test]
fn top_level_values_must_be_groups() {
    let e = expect_err(load("debug = true\n"));
    let msg = e.to_string();
    assert!(msg.contains("expected a table of options for group \"debug\""), "{msg}");
    assert!(msg.contains(":1:1"), "{msg}");
}

#[test]
fn groups_fold_case_and_unknown_keys_are_reported() {
    let s = load("[Glance_Store]\nstorez = \"x\"\n").expect("loads");
    let w = warnings_with(&s, Code::UnknownOption);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].suggestion.as_deref(), Some("did you mean \"stores\"?"));
    assert_eq!(w[0].origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)), Some((2, 1)));
}

#[test]
fn toml_and_ini_layer_together() {
    let d = Dir::new();
    let ini = d.write("a.conf", "[DEFAULT]\nbind_port = 1\nname = ini\n");
    let toml = d.write("b.toml", "[DEFAULT]\nbind_port = 2\n");
    let reg = reg();
    let s = Loader::new(&reg).config_file(&ini).config_file(&toml).load().expect("loads");
    assert_eq!(s.value("DEFAULT", "bind_port"), Some(&Value::Int(2)));
    assert_eq!(text(&s, "DEFAULT", "name"), "ini");
}
