//! A deprecated name is logged once per option through tracing. Alone in
//! its test binary: tracing's callsite cache is process-wide, and a
//! thread-local subscriber raced other tests' threads (it flaked).

mod common;

use common::*;
use stackauth::Loader;
use stackauth::opt::{DeprecatedName, Opt};

#[test]
fn the_deprecation_is_logged_once_per_option_through_tracing() {
    let buf = common::logs::capture(tracing::Level::INFO);
    let reg = registry([(
        "keystone_authtoken",
        Opt::string("www_authenticate_uri").deprecated_name(DeprecatedName::name("auth_uri")),
    )]);
    let d = Dir::new();
    let p = d.write("a.conf", "[keystone_authtoken]\nauth_uri = http://a\n");
    let q = d.write("b.conf", "[keystone_authtoken]\nauth_uri = http://b\n");
    let loader = Loader::new(&reg).config_file(&p).config_file(&q);
    loader.load().expect("loads");
    loader.load().expect("loads again");
    let log = buf.text();
    let needle = "Option \"auth_uri\" from group \"keystone_authtoken\" is deprecated. Use option \"www_authenticate_uri\" from group \"keystone_authtoken\".";
    assert_eq!(log.matches(needle).count(), 1, "{log}");
    assert!(log.contains("WARN"), "{log}");
}
