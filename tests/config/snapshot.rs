//! The snapshot: provenance, typed access, serde extraction, unknowns,
//! and secrets kept out of Debug and Display.

use crate::common;

use common::*;
use serde::Deserialize;
use stackauth::Loader;
use stackauth::diagnostic::Code;
use stackauth::opt::{Opt, OptType, Secret};
use stackauth::snapshot::AccessError;
use stackauth::source::{Env, Origin};

const G: &str = "service_user";

fn reg() -> stackauth::opt::Registry {
    registry([
        (G, Opt::string("auth_url").required()),
        (G, Opt::string("username")),
        (G, Opt::string("password").secret()),
        (G, Opt::new("timeout", OptType::integer()).default("30")),
        (G, Opt::new("insecure", OptType::boolean()).default("false")),
        (G, Opt::new("valid_interfaces", OptType::list()).default("internal,public")),
    ])
}

const BODY: &str = "[service_user]\nauth_url = http://keystone:5000/v3\nusername = glance\npassword = GLANCE_PASS\n";

#[test]
fn provenance_of_every_value() {
    let d = Dir::new();
    let p = d.write("glance.conf", BODY);
    let reg = reg();
    let s = Loader::new(&reg)
        .config_file(&p)
        .env(Env::from_pairs([("OS_SERVICE_USER__TIMEOUT", "5")]))
        .load()
        .expect("loads");
    let origin = |o: &str| s.get(G, o).expect("registered").origin.clone();
    match origin("username") {
        Origin::File(loc) => {
            assert_eq!(&*loc.path, p.as_path());
            assert_eq!((loc.line, loc.column), (3, 12));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(origin("timeout"), Origin::Env { var: "OS_SERVICE_USER__TIMEOUT".into() });
    assert_eq!(origin("insecure"), Origin::Default);
    assert_eq!(origin("username").to_string(), format!("{}:3:12", p.display()));
}

#[test]
fn typed_access_and_serde_extraction() {
    #[derive(Deserialize, Debug)]
    struct ServiceUser {
        auth_url: String,
        username: String,
        password: Secret,
        timeout: u32,
        insecure: bool,
        valid_interfaces: Vec<String>,
        #[serde(default)]
        region_name: Option<String>,
    }
    let d = Dir::new();
    let p = d.write("glance.conf", BODY);
    let s = load_file(&reg(), &p).expect("loads");
    let su: ServiceUser = s.group_as(G).expect("extracts");
    assert_eq!(su.auth_url, "http://keystone:5000/v3");
    assert_eq!(su.username, "glance");
    assert_eq!(su.password.expose(), "GLANCE_PASS");
    assert_eq!((su.timeout, su.insecure, su.region_name.as_deref()), (30, false, None));
    assert_eq!(su.valid_interfaces, ["internal", "public"]);
    assert!(!format!("{su:?}").contains("GLANCE_PASS"));

    assert_eq!(s.get_as::<u64>(G, "timeout").expect("ok"), Some(30));
    assert_eq!(s.get_as::<Vec<String>>(G, "valid_interfaces").expect("ok").map(|v| v.len()), Some(2));
    assert!(matches!(s.get_as::<u64>(G, "nope"), Err(AccessError::NoSuchOpt { .. })));
    assert!(matches!(s.get_as::<u64>("nope", "x"), Err(AccessError::NoSuchGroup(_))));
    // A type mismatch says what did not fit, without a secret's value.
    let err = s.get_as::<u64>(G, "password").expect_err("a string is not a number");
    assert!(!err.to_string().contains("GLANCE_PASS"), "{err}");
    #[derive(Deserialize, Debug)]
    struct Wrong {
        #[allow(dead_code)]
        password: u32,
    }
    let err = s.group_as::<Wrong>(G).expect_err("mismatch");
    assert!(!err.to_string().contains("GLANCE_PASS"), "{err}");
    assert!(err.to_string().contains("****"), "{err}");
}

#[test]
fn debug_and_display_never_show_secrets() {
    let d = Dir::new();
    let p = d.write("glance.conf", BODY);
    let s = load_file(&reg(), &p).expect("loads");
    let r = s.get(G, "password").expect("set");
    assert_eq!(r.display_value(), "****");
    for text in
        [format!("{s:?}"), format!("{r:?}"), format!("{:?}", s.value(G, "password")), format!("{:?}", s.group(G))]
    {
        assert!(!text.contains("GLANCE_PASS"), "{text}");
    }
    let shown = stackauth::tools::show::render_text(&s, Default::default());
    assert!(shown.contains("password = ****"), "{shown}");
    assert!(!shown.contains("GLANCE_PASS"));
    let revealed = stackauth::tools::show::render_text(
        &s,
        stackauth::tools::show::ShowOptions { reveal_secrets: true, all: false },
    );
    assert!(revealed.contains("password = GLANCE_PASS"));
    let json = stackauth::tools::show::render_json(&s, Default::default()).to_string();
    assert!(!json.contains("GLANCE_PASS"), "{json}");
}

#[test]
fn required_options_without_a_value_are_errors() {
    let d = Dir::new();
    let p = d.write("glance.conf", "[service_user]\nusername = glance\n");
    let e = expect_err(load_file(&reg(), &p));
    let errs = errors(&e);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, Code::MissingRequired);
    assert_eq!(errs[0].option.as_deref(), Some("auth_url"));
    assert!(errs[0].suggestion.as_deref().is_some_and(|s| s.contains("glance.conf")), "{:?}", errs[0]);
}

#[test]
fn unknown_groups_and_options_are_kept_and_reported() {
    let d = Dir::new();
    let p = d.write("glance.conf", format!("{BODY}pasword = typo\n[servce_user]\nx = 1\n[empty_unknown]\n"));
    let s = load_file(&reg(), &p).expect("loads");
    let u: Vec<(String, Option<String>)> = s.unknown().iter().map(|u| (u.group.clone(), u.key.clone())).collect();
    assert!(u.contains(&(G.into(), Some("pasword".into()))), "{u:?}");
    assert!(u.contains(&("servce_user".into(), Some("x".into()))), "{u:?}");
    assert!(u.contains(&("empty_unknown".into(), None)), "{u:?}");
    let opt = warnings_with(&s, Code::UnknownOption);
    assert_eq!(opt.len(), 1);
    assert_eq!(opt[0].suggestion.as_deref(), Some("did you mean \"password\"?"));
    let groups = warnings_with(&s, Code::UnknownGroup);
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].suggestion.as_deref(), Some("did you mean [service_user]?"));
    assert_eq!(groups[1].suggestion, None);
}

#[test]
fn overrides_of_unknown_options_are_errors() {
    let reg = reg();
    let e = expect_err(Loader::new(&reg).set_override(G, "auth_ulr", "x").set_override(G, "auth_url", "y").load());
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{e}");
    assert_eq!(errs[0].code, Code::BadOverride);
    assert_eq!(errs[0].suggestion.as_deref(), Some("did you mean \"auth_url\"?"));
}

#[test]
fn env_typos_in_a_known_group_are_reported() {
    let reg = reg();
    let s = Loader::new(&reg)
        .set_override(G, "auth_url", "x")
        .env(Env::from_pairs([("OS_SERVICE_USER__USERNAM", "x"), ("OS_OTHER_APP__THING", "y")]))
        .load()
        .expect("loads");
    let w = warnings_with(&s, Code::UnknownOption);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].suggestion.as_deref(), Some("did you mean OS_SERVICE_USER__USERNAME?"));
}

#[test]
fn snapshots_are_immutable_and_reloads_build_new_ones() {
    let d = Dir::new();
    let p = d.write("glance.conf", BODY);
    let reg = reg();
    let loader = Loader::new(&reg).config_file(&p);
    let first = loader.load().expect("loads");
    d.write("glance.conf", BODY.replace("glance\n", "nova\n"));
    let second = loader.load().expect("loads");
    assert_eq!(text(&first, G, "username"), "glance");
    assert_eq!(text(&second, G, "username"), "nova");
}

/// `show --group`'s selection is a copy: the loaded snapshot keeps every
/// group (it has no public `&mut self` method to lose them by).
#[test]
fn only_groups_copies_and_leaves_the_snapshot_whole() {
    let d = Dir::new();
    let p = d.write("two.conf", format!("{BODY}[other]\nx = 1\n"));
    let mut reg = reg();
    reg.register_opt("other", Opt::string("x")).expect("register");
    let s = load_file(&reg, &p).expect("loads");
    let only = stackauth::tools::show::only_groups(&s, &["Service_User".to_owned()]);
    assert_eq!(only.groups().map(|g| g.name()).collect::<Vec<_>>(), [G]);
    assert_eq!(only.value(G, "username"), s.value(G, "username"));
    assert!(s.group("other").is_some() && s.group(G).is_some());
}
