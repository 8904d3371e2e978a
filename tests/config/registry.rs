//! Registering options: duplicates, bad declarations, namespaces, masking.

use stackauth::opt::{DeprecatedName, Opt, OptType, Registry, RegistryError};

#[test]
fn identical_registration_is_a_no_op_and_different_is_an_error() {
    let mut r = Registry::new();
    let opt = || Opt::new("timeout", OptType::integer()).default("30").help("Seconds.");
    r.register_opt("g", opt()).expect("first");
    r.register_opt("G", opt()).expect("identical again, group case folded");
    assert_eq!(r.len(), 1);
    for different in [
        Opt::new("timeout", OptType::integer()).default("31").help("Seconds."),
        Opt::new("timeout", OptType::float()).default("30").help("Seconds."),
        opt().secret(),
        opt().deprecated_name(DeprecatedName::name("old_timeout")),
    ] {
        let e = r.register_opt("g", different).expect_err("different definition");
        assert!(matches!(e, RegistryError::Duplicate { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "option \"timeout\" in group \"g\" is already registered with a different definition"
        );
    }
    // A dashed name is the same option as its underscore dest.
    assert!(r.register_opt("g", Opt::new("timeout", OptType::string())).is_err());
    assert!(r.find("g", "timeout").is_some());
}

#[test]
fn bad_declarations_are_refused() {
    let mut r = Registry::new();
    assert!(r.register_opt("g", Opt::string("")).is_err());
    assert!(r.register_opt("g", Opt::string("has space")).is_err());
    assert!(r.register_opt("g", Opt::new("n", OptType::integer_range(Some(5), Some(1)))).is_err());
    assert!(r.register_opt("g", Opt::new("b", OptType::boolean()).default("maybe")).is_err());
    // A default that interpolates is checked when it is resolved instead.
    r.register_opt("g", Opt::new("p", OptType::port()).default("$other")).expect("interpolating default");
}

#[test]
fn names_dests_and_namespaces_merge() {
    let mut a = Registry::new();
    a.register_opt("g", Opt::string("auth-url")).expect("ok");
    assert_eq!(a.find("g", "auth_url").map(Opt::name), Some("auth-url"));
    assert_eq!(a.find("g", "auth-url").map(Opt::dest), Some("auth_url"));
    let ks = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("built in");
    a.merge(&ks).expect("merges");
    a.merge(&ks).expect("merging twice is a no-op");
    assert!(a.find("keystone_authtoken", "memcached_servers").is_some());
}

#[test]
fn a_secret_default_is_masked_in_debug() {
    let o = Opt::string("password").default("s3cret-default").secret();
    let shown = format!("{o:?}");
    assert!(!shown.contains("s3cret-default"), "{shown}");
    assert!(shown.contains("****"));
}
