//! Every option type's accepted and rejected values, read from real files.

use crate::common;

use common::*;
use stackauth::diagnostic::Code;
use stackauth::opt::{DictType, IpVersion, ListType, NumberType, Opt, OptType, Pattern, StringType, UriType, Value};

/// Loads `value` for one option of type `t` from an INI file.
fn read(t: OptType, value: &str) -> Result<Option<Value>, String> {
    let d = Dir::new();
    let p = d.write("t.conf", format!("[g]\nopt = {value}\n"));
    let reg = registry([("g", Opt::new("opt", t))]);
    match load_file(&reg, &p) {
        Ok(s) => Ok(s.value("g", "opt").cloned()),
        Err(e) => {
            let errs = errors(&e);
            assert_eq!(errs.len(), 1, "{e}");
            assert_eq!(errs[0].code, Code::InvalidValue);
            // file:line:column of the value
            let loc = errs[0].origin.as_ref().and_then(|o| o.location()).expect("a location");
            assert_eq!((loc.line, loc.column), (2, 7), "{e}");
            Err(errs[0].message.clone())
        }
    }
}

fn accepts(t: &OptType, value: &str) -> Value {
    read(t.clone(), value).unwrap_or_else(|e| panic!("{value:?} rejected: {e}")).expect("a value")
}

fn rejects(t: &OptType, value: &str) -> String {
    match read(t.clone(), value) {
        Ok(v) => panic!("{value:?} accepted as {v:?}"),
        Err(e) => e,
    }
}

#[test]
fn boolean() {
    let t = OptType::boolean();
    for v in ["true", "TRUE", "1", "on", "On", "yes", "YES"] {
        assert_eq!(accepts(&t, v), Value::Bool(true), "{v}");
    }
    for v in ["false", "False", "0", "off", "OFF", "no", "No"] {
        assert_eq!(accepts(&t, v), Value::Bool(false), "{v}");
    }
    for v in ["maybe", "2", "y", "t", "enabled"] {
        let e = rejects(&t, v);
        assert!(e.contains("boolean"), "{e}");
        assert!(e.contains(&format!("found \"{v}\"")), "{e}");
    }
}

#[test]
fn integer_with_bounds_and_choices() {
    let t = OptType::integer_range(Some(1), Some(10));
    assert_eq!(accepts(&t, "10"), Value::Int(10));
    assert_eq!(accepts(&t, "+1"), Value::Int(1));
    assert!(rejects(&t, "0").contains("greater than or equal to 1"));
    assert!(rejects(&t, "11").contains("less than or equal to 10"));
    assert!(rejects(&t, "1.0").contains("integer"));
    assert!(rejects(&t, "abc").contains("integer"));
    let c = OptType::Integer(NumberType { min: None, max: None, choices: Some(vec![(1, None), (3, None)]) });
    assert_eq!(accepts(&c, "3"), Value::Int(3));
    assert!(rejects(&c, "2").contains("[1, 3]"));
    // An empty number is "no value", as oslo.config reads `opt =`.
    assert_eq!(read(OptType::integer(), "").expect("ok"), None);
}

#[test]
fn float() {
    let t = OptType::Float(NumberType { min: Some(0.0), max: Some(1.0), choices: None });
    assert_eq!(accepts(&t, "0.5"), Value::Float(0.5));
    assert_eq!(accepts(&t, "1e-1"), Value::Float(0.1));
    assert!(rejects(&t, "1.5").contains("less than or equal to 1"));
    assert!(rejects(&t, "half").contains("float"));
}

#[test]
fn port() {
    let t = OptType::port();
    assert_eq!(accepts(&t, "0"), Value::Int(0));
    assert_eq!(accepts(&t, "65535"), Value::Int(65535));
    assert!(rejects(&t, "65536").contains("65535"));
    assert!(rejects(&t, "-1").contains("0"));
    assert!(rejects(&t, "http").contains("integer"));
    // Narrower bounds must stay within 0..=65535.
    let bad = OptType::Port(NumberType { min: Some(-1), max: None, choices: None });
    assert!(stackauth::opt::Registry::new().register_opt("g", Opt::new("p", bad)).is_err());
}

#[test]
fn string_choices_regex_length_quotes() {
    let choices = OptType::String(StringType {
        choices: Some(vec![("MAC".into(), None), ("ENCRYPT".into(), None)]),
        ignore_case: true,
        ..StringType::default()
    });
    assert_eq!(accepts(&choices, "mac"), Value::Str("mac".into()));
    assert!(rejects(&choices, "none").contains("[MAC, ENCRYPT]"));
    let strict = OptType::string_choices(["public", "internal", "admin"]);
    assert!(rejects(&strict, "Public").contains("valid values"));

    let re = OptType::String(StringType {
        regex: Some(Pattern::new("^[a-z]+$", false).expect("regex")),
        ..StringType::default()
    });
    assert_eq!(accepts(&re, "abc"), Value::Str("abc".into()));
    assert!(rejects(&re, "ab1").contains("regex"));

    let short = OptType::String(StringType { max_length: 3, ..StringType::default() });
    assert!(rejects(&short, "abcd").contains("maximum length 3"));

    // With `quotes`, the type strips another pair (the file already took
    // one) and rejects an unclosed quote.
    let quoted = OptType::String(StringType { quotes: true, ..StringType::default() });
    assert_eq!(accepts(&quoted, "\"'x'\""), Value::Str("x".into()));
    assert!(rejects(&quoted, "'x").contains("non-closed quote"));
}

#[test]
fn list_and_its_item_type() {
    let t = OptType::list();
    assert_eq!(
        accepts(&t, "a, b ,c,"),
        Value::List(vec![Value::Str("a".into()), Value::Str("b".into()), Value::Str("c".into())])
    );
    assert_eq!(read(t.clone(), "").expect("ok"), Some(Value::List(vec![])));
    let ints = OptType::list_of(OptType::integer());
    assert_eq!(accepts(&ints, "1,2"), Value::List(vec![Value::Int(1), Value::Int(2)]));
    assert!(rejects(&ints, "1,x").contains("item 2"));
    let bounded = OptType::List(ListType { item: Box::new(OptType::string()), bounds: true, min_length: 1 });
    assert_eq!(accepts(&bounded, "[a,b]").as_list().map(<[Value]>::len), Some(2));
    assert!(rejects(&bounded, "a,b").contains("\"[\""));
    assert!(rejects(&bounded, "[]").contains("at least 1"));
    // An item that fails alone may hold commas: oslo.config joins the next
    // part and tries again.
    let dicts = OptType::list_of(OptType::dict());
    assert_eq!(accepts(&dicts, "a:1,b:2").as_list().map(<[Value]>::len), Some(2));
    let joined = accepts(&dicts, "k,j:v");
    let items = joined.as_list().expect("list");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_dict().and_then(|d| d.get("k,j")), Some(&Value::Str("v".into())));
}

#[test]
fn dict_and_its_value_type() {
    let t = OptType::dict_of(OptType::integer());
    let v = accepts(&t, "a:1, b : 2");
    let d = v.as_dict().expect("dict");
    assert_eq!(d.get("a"), Some(&Value::Int(1)));
    assert_eq!(d.get("b"), Some(&Value::Int(2)));
    assert!(rejects(&t, "a:1,a:2").contains("duplicate key"));
    assert!(rejects(&t, "a").contains("NAME:VALUE"));
    assert!(rejects(&t, ":1").contains("key name"));
    assert!(rejects(&t, "a:x").contains("integer"));
    let s = OptType::dict();
    // Values may contain ':' and, by re-joining, ','.
    let v = accepts(&s, "url:http://h:80/x");
    assert_eq!(v.as_dict().and_then(|d| d.get("url")), Some(&Value::Str("http://h:80/x".into())));
    let eq =
        OptType::Dict(DictType { value: Box::new(OptType::string()), bounds: true, separator: '=', min_length: 0 });
    assert!(accepts(&eq, "{a=1}").as_dict().is_some());
    assert!(rejects(&eq, "a=1").contains("\"{\""));
}

#[test]
fn ip_address() {
    let t = OptType::ip_address();
    for v in ["127.0.0.1", "::1", "fe80::1", "2001:db8::8a2e:370:7334"] {
        accepts(&t, v);
    }
    for v in ["256.0.0.1", "1.2.3", "localhost", "::g", "1.2.3.4.5"] {
        rejects(&t, v);
    }
    assert!(rejects(&OptType::IpAddress(Some(IpVersion::V4)), "::1").contains("IPv4"));
    assert!(rejects(&OptType::IpAddress(Some(IpVersion::V6)), "1.2.3.4").contains("IPv6"));
}

#[test]
fn host_address_and_domain() {
    let t = OptType::host_address();
    for v in ["controller", "keystone.example.com", "10.0.0.1", "::1", "a-b.c", "example.com."] {
        accepts(&t, v);
    }
    for v in ["-bad.com", "bad-.com", "under_score.com", "1.2.3", "a..b", &"x".repeat(64)] {
        rejects(&t, v);
    }
    let d = OptType::host_domain();
    accepts(&d, "_srv._tcp.example.com");
    rejects(&d, "bad host");
}

#[test]
fn hostname() {
    let t = OptType::Hostname;
    for v in ["controller", "a.b-c.example", "x1.example.com."] {
        accepts(&t, v);
    }
    for v in ["10.0.0.1", "a_b.com", "-a.com", "host.123", &format!("{}.com", "a".repeat(250))] {
        rejects(&t, v);
    }
    assert!(OptType::Hostname.parse_str("").is_err());
}

#[test]
fn uri() {
    let t = OptType::uri();
    for v in ["http://controller:5000/v3", "https://[::1]:35357", "HTTP://h", "memcached://u:p@h:11211/x?y#z"] {
        accepts(&t, v);
    }
    for v in ["controller:5000", "http:///path", "not a uri", "http://h:port", "/v3"] {
        rejects(&t, v);
    }
    let https = OptType::Uri(UriType { schemes: vec!["https".into()], max_length: Some(20) });
    // Schemes compare without regard to case (RFC 3986; oslo.config does not).
    accepts(&https, "HTTPS://h");
    assert!(rejects(&https, "http://h").contains("https"));
    assert!(rejects(&https, "https://a-very-long-host.example.com").contains("maximum length"));
}

#[test]
fn multi_string_collects_repeats() {
    let d = Dir::new();
    let p = d.write("m.conf", "[g]\nm = a\nm = b\n");
    let reg = registry([("g", Opt::multi_string("m"))]);
    let s = load_file(&reg, &p).expect("loads");
    assert_eq!(s.value("g", "m"), Some(&Value::List(vec![Value::Str("a".into()), Value::Str("b".into())])));
}

#[test]
fn secret_strings_are_secret_values() {
    let d = Dir::new();
    let p = d.write("s.conf", "[g]\npassword = hunter2\n");
    let reg = registry([("g", Opt::string("password").secret())]);
    let s = load_file(&reg, &p).expect("loads");
    let v = s.value("g", "password").expect("set");
    assert!(matches!(v, Value::Secret(_)));
    assert_eq!(v.as_str(), Some("hunter2"));
    assert_eq!(v.to_string(), "****");
    assert_eq!(format!("{v:?}"), "Secret(****)");
}

#[test]
fn invalid_secret_values_are_masked_in_errors() {
    let d = Dir::new();
    let p = d.write("s.conf", "[g]\npin = hunter2\n");
    let reg = registry([("g", Opt::new("pin", OptType::integer()).secret())]);
    let e = expect_err(load_file(&reg, &p));
    let msg = e.to_string();
    assert!(!msg.contains("hunter2"), "{msg}");
    assert!(msg.contains("found ****"), "{msg}");
}

#[test]
fn every_type_error_is_reported_at_once() {
    let d = Dir::new();
    let p = d.write("many.conf", "[g]\na = x\nb = 70000\nc = maybe\n");
    let reg = registry([
        ("g", Opt::new("a", OptType::integer())),
        ("g", Opt::new("b", OptType::port())),
        ("g", Opt::new("c", OptType::boolean())),
    ]);
    let e = expect_err(load_file(&reg, &p));
    let opts: Vec<&str> = errors(&e).iter().map(|d| d.option.as_deref().unwrap_or("")).collect();
    assert_eq!(opts, ["a", "b", "c"]);
}

#[test]
fn invalid_defaults_are_refused_at_registration() {
    let mut reg = stackauth::opt::Registry::new();
    let err = reg.register_opt("g", Opt::new("p", OptType::port()).default("http")).expect_err("refused");
    assert!(err.to_string().contains("default \"http\""), "{err}");
    let secret =
        reg.register_opt("g", Opt::new("q", OptType::integer()).default("hunter2").secret()).expect_err("refused");
    assert!(!secret.to_string().contains("hunter2"));
}

#[test]
fn errors_of_public_constructors_are_typed() {
    let e = stackauth::opt::Pattern::new("a(b", false).expect_err("unbalanced");
    assert_eq!(e.source_text, "a(b");
    assert!(e.to_string().starts_with("invalid regex \"a(b\": "), "{e}");
    let v = "three".parse::<stackauth::session::Version>().expect_err("not a version");
    assert_eq!(v.text, "three");
    let spec = stackauth::session::VersionSpec::parse(Some("3"), Some("2"), None).expect_err("exclusive");
    assert_eq!(spec, stackauth::session::VersionSpecError::Exclusive);
    let bad = stackauth::session::VersionSpec::parse(None, Some("x"), None).expect_err("not a version");
    assert!(matches!(bad, stackauth::session::VersionSpecError::Invalid(ref i) if i.text == "x"), "{bad:?}");
}
