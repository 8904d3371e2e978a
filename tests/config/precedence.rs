//! Which source wins: override > CLI > environment > files (later wins) >
//! set_default > declared default; and deprecated names within and across
//! sources.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{DeprecatedName, Opt, OptType};
use stackauth::source::{CliOverride, Env, Origin};

fn reg() -> stackauth::opt::Registry {
    registry([
        ("g", Opt::string("x").default("declared")),
        ("g", Opt::multi_string("m")),
        ("DEFAULT", Opt::new("port", OptType::port()).default("1")),
    ])
}

#[test]
fn each_layer_beats_the_one_below() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nx = file-a\n");
    let b = d.write("b.conf", "[g]\nx = file-b\n");
    let reg = reg();
    let env = Env::from_pairs([("OS_G__X", "env")]);
    let cli = CliOverride::parse("g.x=cli").expect("parses");

    let base = || Loader::new(&reg);
    let x = |l: Loader<'_>| {
        let s = l.load().expect("loads");
        (text(&s, "g", "x"), s.get("g", "x").expect("x").origin.clone())
    };
    assert_eq!(x(base()).0, "declared");
    assert_eq!(x(base()).1, Origin::Default);
    assert_eq!(x(base().set_default("g", "x", "set-default")).1, Origin::SetDefault);
    assert_eq!(x(base().set_default("g", "x", "sd").config_file(&a)).0, "file-a");
    assert_eq!(x(base().config_file(&a).config_file(&b)).0, "file-b");
    assert_eq!(x(base().config_file(&b).config_file(&a)).0, "file-a");
    let (v, o) = x(base().config_file(&a).env(env.clone()));
    assert_eq!((v.as_str(), o), ("env", Origin::Env { var: "OS_G__X".into() }));
    let (v, o) = x(base().config_file(&a).env(env.clone()).cli(cli.clone()));
    assert_eq!((v.as_str(), o), ("cli", Origin::Cli { flag: "--set g.x".into() }));
    let (v, o) = x(base().config_file(&a).env(env).cli(cli).set_override("g", "x", "override"));
    assert_eq!((v.as_str(), o), ("override", Origin::Override));
}

#[test]
fn default_group_env_var_and_cli_without_group() {
    let reg = reg();
    let s = Loader::new(&reg).env(Env::from_pairs([("OS_DEFAULT__PORT", "8080")])).load().expect("loads");
    assert_eq!(text(&s, "DEFAULT", "port"), "8080");
    let s = Loader::new(&reg).cli(CliOverride::parse("port=9").expect("parses")).load().expect("loads");
    assert_eq!(text(&s, "DEFAULT", "port"), "9");
}

#[test]
fn bad_values_from_env_and_cli_name_their_origin() {
    let reg = reg();
    let e = expect_err(Loader::new(&reg).env(Env::from_pairs([("OS_DEFAULT__PORT", "http")])).load());
    assert!(e.to_string().contains("environment variable OS_DEFAULT__PORT"), "{e}");
    let e = expect_err(Loader::new(&reg).cli(CliOverride::parse("port=x").expect("parses")).load());
    assert!(e.to_string().contains("command line --set DEFAULT.port"), "{e}");
}

#[test]
fn multi_values_gather_files_but_env_and_cli_replace() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nm = 1\nm = 2\n");
    let b = d.write("b.conf", "[g]\nm = 3\n");
    let reg = reg();
    let s = Loader::new(&reg).config_file(&a).config_file(&b).load().expect("loads");
    assert_eq!(text(&s, "g", "m"), "1,2,3");
    // A comma list from the environment (oslo.config splits into characters).
    let s = Loader::new(&reg).config_file(&a).env(Env::from_pairs([("OS_G__M", "x, yz")])).load().expect("loads");
    assert_eq!(text(&s, "g", "m"), "x,yz");
    let s = Loader::new(&reg)
        .config_file(&a)
        .cli(CliOverride::parse("g.m=p").expect("ok"))
        .cli(CliOverride::parse("g.m=q").expect("ok"))
        .load()
        .expect("loads");
    assert_eq!(text(&s, "g", "m"), "p,q");
}

#[test]
fn config_dir_files_in_name_order_after_earlier_files() {
    let d = Dir::new();
    let main = d.write("main.conf", "[g]\nx = main\n");
    d.write("conf.d/20-b.conf", "[g]\nx = twenty\n");
    d.write("conf.d/10-a.conf", "[g]\nx = ten\n");
    d.write("conf.d/05.toml", "[g]\nx = \"five\"\n");
    d.write("conf.d/99-ignored.txt", "[g]\nx = ignored\n");
    d.write("conf.d/.hidden.conf", "[g]\nx = hidden\n");
    let reg = reg();
    let s = Loader::new(&reg).config_file(&main).config_dir(d.path().join("conf.d")).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "twenty");
    let names: Vec<String> =
        s.files().iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["main.conf", "05.toml", "10-a.conf", "20-b.conf"]);
    // A file given after the dir wins over it.
    let s = Loader::new(&reg).config_dir(d.path().join("conf.d")).config_file(&main).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "main");
}

#[test]
fn missing_files_and_dirs_are_errors() {
    let d = Dir::new();
    let reg = reg();
    let e =
        expect_err(Loader::new(&reg).config_file(d.path().join("nope.conf")).config_dir(d.path().join("nodir")).load());
    let msgs: Vec<String> = errors(&e).iter().map(|d| d.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("config dir not found") || msgs[1].contains("config dir not found"), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("nope.conf: file not found")), "{msgs:?}");
    assert!(errors(&e).iter().all(|d| d.code == Code::Io));
}

fn renamed() -> stackauth::opt::Registry {
    registry([(
        "keystone_authtoken",
        Opt::string("www_authenticate_uri")
            .deprecated_name(DeprecatedName::name("auth_uri"))
            .deprecated_name(DeprecatedName::name_in_group("auth_uri", "DEFAULT")),
    )])
}

#[test]
fn a_deprecated_name_supplies_the_value_and_warns() {
    let d = Dir::new();
    let p = d.write("a.conf", "[keystone_authtoken]\nauth_uri = http://old:5000\n");
    let s = load_file(&renamed(), &p).expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "www_authenticate_uri"), "http://old:5000");
    let r = s.get("keystone_authtoken", "www_authenticate_uri").expect("set");
    assert_eq!(r.deprecated.as_ref().map(|d| d.name.as_str()), Some("auth_uri"));
    let w = warnings_with(&s, Code::DeprecatedName);
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].message,
        "Option \"auth_uri\" from group \"keystone_authtoken\" is deprecated. \
         Use option \"www_authenticate_uri\" from group \"keystone_authtoken\"."
    );
    assert_eq!(w[0].origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)), Some((2, 1)));
}

#[test]
fn a_deprecated_group_is_found_too() {
    let d = Dir::new();
    let p = d.write("a.conf", "[DEFAULT]\nauth_uri = http://default:5000\n");
    let s = load_file(&renamed(), &p).expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "www_authenticate_uri"), "http://default:5000");
    assert!(warnings_with(&s, Code::UnknownGroup).is_empty());
}

#[test]
fn within_one_file_the_new_name_wins_whatever_the_order() {
    let d = Dir::new();
    let p = d.write("a.conf", "[keystone_authtoken]\nwww_authenticate_uri = http://new\nauth_uri = http://old\n");
    let s = load_file(&renamed(), &p).expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "www_authenticate_uri"), "http://new");
    assert_eq!(warnings_with(&s, Code::ShadowedDeprecatedName).len(), 1);
}

#[test]
fn across_files_the_later_file_wins_whatever_the_name() {
    let d = Dir::new();
    let new_first = d.write("1.conf", "[keystone_authtoken]\nwww_authenticate_uri = http://new-in-earlier\n");
    let old_later = d.write("2.conf", "[keystone_authtoken]\nauth_uri = http://old-in-later\n");
    let reg = renamed();
    // oslo.config bug: it returns the new name from the earlier file. The
    // later file is the stronger source, whatever name it used.
    let s = Loader::new(&reg).config_file(&new_first).config_file(&old_later).load().expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "www_authenticate_uri"), "http://old-in-later");
    let s = Loader::new(&reg).config_file(&old_later).config_file(&new_first).load().expect("loads");
    assert_eq!(text(&s, "keystone_authtoken", "www_authenticate_uri"), "http://new-in-earlier");
}

#[test]
fn deprecated_for_removal_warns_only_when_set() {
    let d = Dir::new();
    let reg = registry([("g", Opt::string("old").default("x").deprecated_for_removal(Some("Use y."), Some("Queens")))]);
    let empty = d.write("e.conf", "[g]\n");
    let s = load_file(&reg, &empty).expect("loads");
    assert!(warnings_with(&s, Code::DeprecatedForRemoval).is_empty());
    let set = d.write("s.conf", "[g]\nold = 1\n");
    let s = load_file(&reg, &set).expect("loads");
    let w = warnings_with(&s, Code::DeprecatedForRemoval);
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("since Queens"));
    assert_eq!(w[0].suggestion.as_deref(), Some("Use y."));
}
