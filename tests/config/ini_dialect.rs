//! oslo.config's INI dialect, corner by corner, from real files.

use crate::common;

use common::*;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType};
use stackauth::source::ini::{IniDocument, LineKind};

fn entries(text: &str) -> Vec<(String, String, String)> {
    let doc = IniDocument::parse(text).expect("parses");
    doc.entries().map(|e| (e.group.to_owned(), e.key.to_owned(), e.value)).collect()
}

fn syntax_errors(text: &str) -> Vec<(u32, u32, String)> {
    match IniDocument::parse(text) {
        Ok(_) => panic!("expected a syntax error in {text:?}"),
        Err(errs) => errs.into_iter().map(|e| (e.line, e.column, e.message)).collect(),
    }
}

#[test]
fn both_separators_first_one_wins() {
    let e = entries("[g]\na = 1\nb: 2\nurl = http://h:5000\nc:d=e\n");
    assert_eq!(e[0].2, "1");
    assert_eq!(e[1].2, "2");
    assert_eq!((e[2].1.as_str(), e[2].2.as_str()), ("url", "http://h:5000"));
    assert_eq!((e[3].1.as_str(), e[3].2.as_str()), ("c", "d=e"));
}

#[test]
fn whole_line_comments_only() {
    let e = entries("# c1\n; c2\n[g]\n#a = 1\nb = 2 # not a comment\nc = x;y\n");
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].2, "2 # not a comment");
    assert_eq!(e[1].2, "x;y");
}

#[test]
fn continuation_lines_join_with_newlines() {
    let e = entries("[g]\nmsg = first\n  second\n\tthird  \nnext = 1\n");
    assert_eq!(e[0].2, "first\nsecond\nthird");
    assert_eq!(e[1].2, "1");
}

#[test]
fn blank_line_ends_a_value_and_then_indentation_is_an_error() {
    let errs = syntax_errors("[g]\nmsg = first\n\n  second\n");
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].0, errs[0].1), (4, 3));
    assert!(errs[0].2.contains("unexpected continuation"), "{}", errs[0].2);
}

#[test]
fn an_indented_hash_line_continues_the_value() {
    // oslo.config reads it as part of the value, not as a comment.
    let e = entries("[g]\nmsg = a\n  # b\n");
    assert_eq!(e[0].2, "a\n# b");
}

#[test]
fn a_comment_ends_a_value() {
    let errs = syntax_errors("[g]\nmsg = a\n# note\n  b\n");
    assert_eq!(errs[0].0, 4);
}

#[test]
fn one_pair_of_matching_quotes_is_stripped_on_the_first_line_only() {
    let e = entries("[g]\na = \"x y\"\nb = 'z'\nc = \"mixed'\nd = \"\"q\"\"\ne = \"\nf = \"multi\n  line\"\n");
    let v: Vec<&str> = e.iter().map(|x| x.2.as_str()).collect();
    // Quotes are stripped only when the first line's value is closed.
    assert_eq!(v, ["x y", "z", "\"mixed'", "\"q\"", "", "\"multi\nline\""]);
}

#[test]
fn keys_and_values_are_trimmed_and_keys_keep_case() {
    let e = entries("[g]\n  \nKey  =   v  \n");
    assert_eq!((e[0].1.as_str(), e[0].2.as_str()), ("Key", "v"));
}

#[test]
fn empty_values_are_empty_strings() {
    let e = entries("[g]\na =\nb:\n");
    assert_eq!((e[0].2.as_str(), e[1].2.as_str()), ("", ""));
}

#[test]
fn group_header_errors() {
    assert_eq!(syntax_errors("[g\n")[0].0, 1);
    assert!(syntax_errors("[]\n")[0].2.contains("empty group name"));
    // A header with inner spaces keeps them (oslo.config does): it names a
    // different group.
    let doc = IniDocument::parse("[ g ]\n").expect("parses");
    assert_eq!(doc.groups().collect::<Vec<_>>(), [" g "]);
}

#[test]
fn assignment_errors_have_line_and_column() {
    let errs = syntax_errors("[g]\nok = 1\nno separator here\n= v\n");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].0, 3);
    assert!(errs[0].2.contains("expected '=' or ':'"));
    assert_eq!(errs[1].0, 4);
    assert!(errs[1].2.contains("empty option name"));
}

#[test]
fn assignment_before_any_group_is_an_error() {
    let errs = syntax_errors("a = 1\n[g]\n");
    assert_eq!((errs[0].0, errs[0].1), (1, 1));
    assert!(errs[0].2.contains("before any group"));
}

#[test]
fn errors_never_quote_the_line() {
    let errs = syntax_errors("[g]\npassword hunter2\n");
    assert!(!errs[0].2.contains("hunter2"));
}

#[test]
fn byte_order_mark_is_accepted_and_kept() {
    let text = "\u{feff}[DEFAULT]\ndebug = true\n";
    let doc = IniDocument::parse(text).expect("parses");
    assert!(doc.has_bom());
    assert_eq!(doc.to_string(), text);
    assert_eq!(doc.groups().next(), Some("DEFAULT"));
}

#[test]
fn crlf_and_lone_cr_end_lines() {
    let text = "[g]\r\na = 1\r\nb = 2\rc = 3";
    let e = entries(text);
    assert_eq!(e.iter().map(|x| x.2.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
    assert_eq!(IniDocument::parse(text).expect("parses").to_string(), text);
}

#[test]
fn positions_of_keys_and_values() {
    let doc = IniDocument::parse("[g]\n  \n  \nkey =   \"v\"\n").expect("parses");
    let e = doc.entries().next().expect("an entry");
    assert_eq!((e.line, e.key_col, e.value_col), (4, 1, 10));
    assert!(matches!(doc.lines()[3].kind(), LineKind::Entry { separator: '=', .. }));
}

#[test]
fn repeated_keys_last_wins_for_single_values_and_all_kept_for_multi() {
    let d = Dir::new();
    let p = d.write("a.conf", "[g]\nx = 1\ny = a\nx = 2\ny = b\n[G]\ny = c\n");
    let reg = registry([("g", Opt::new("x", OptType::integer())), ("g", Opt::multi_string("y"))]);
    let s = load_file(&reg, &p).expect("loads");
    assert_eq!(text(&s, "g", "x"), "2");
    assert_eq!(text(&s, "g", "y"), "a,b,c");
    // The value's origin is the last assignment.
    assert_eq!(s.get("g", "x").expect("x").origin.location().expect("file").line, 4);
}

#[test]
fn group_names_fold_case_except_default() {
    let d = Dir::new();
    let p = d.write("a.conf", "[Keystone_AuthToken]\nx = 1\n[default]\ny = 2\n[DEFAULT]\nz = 3\n");
    let reg = registry([
        ("keystone_authtoken", Opt::string("x")),
        ("DEFAULT", Opt::string("y")),
        ("DEFAULT", Opt::string("z")),
    ]);
    let s = load_file(&reg, &p).expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "x"), "1");
    // [default] is a different group from [DEFAULT], as in oslo.config.
    assert!(s.value("DEFAULT", "y").is_none());
    assert_eq!(text(&s, "DEFAULT", "z"), "3");
    let unknown = warnings_with(&s, Code::UnknownGroup);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].suggestion.as_deref(), Some("did you mean [DEFAULT]?"));
}

#[test]
fn keys_are_case_sensitive_and_dashes_are_not_underscores() {
    // oslo.config looks options up in files by their dest: the service
    // reads neither `Auth_Url` nor `auth-type`.
    let d = Dir::new();
    let p = d.write("a.conf", "[g]\nAuth_Url = x\nauth-type = password\n");
    let reg = registry([("g", Opt::string("auth_url")), ("g", Opt::string("auth_type"))]);
    let s = load_file(&reg, &p).expect("loads");
    assert!(s.value("g", "auth_url").is_none());
    assert!(s.value("g", "auth_type").is_none());
    let unknown = warnings_with(&s, Code::UnknownOption);
    assert_eq!(unknown[0].suggestion.as_deref(), Some("did you mean \"auth_url\"?"));
    assert_eq!(unknown[1].suggestion.as_deref(), Some("write \"auth_type\""));
}

#[test]
fn repeated_group_headers_merge() {
    let d = Dir::new();
    let p = d.write("a.conf", "[g]\na = 1\n[h]\n[g]\nb = 2\n");
    let reg = registry([("g", Opt::string("a")), ("g", Opt::string("b")), ("h", Opt::string("c"))]);
    let s = load_file(&reg, &p).expect("loads");
    assert_eq!((text(&s, "g", "a"), text(&s, "g", "b")), ("1".into(), "2".into()));
}

#[test]
fn every_syntax_error_in_a_file_is_reported_with_file_line_column() {
    let d = Dir::new();
    let p = d.write("bad.conf", "[g]\nnope\n[\nx = 1\n  \n  indented\n");
    let reg = registry([("g", Opt::string("x"))]);
    let e = expect_err(load_file(&reg, &p));
    let errs = errors(&e);
    assert_eq!(errs.len(), 3, "{e}");
    let lines: Vec<u32> =
        errs.iter().map(|d| d.origin.as_ref().and_then(|o| o.location()).expect("loc").line).collect();
    assert_eq!(lines, [2, 3, 6]);
    assert!(errs.iter().all(|d| d.code == Code::IniSyntax));
    assert!(e.to_string().contains("bad.conf:2:"), "{e}");
}
