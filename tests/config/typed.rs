//! Typed extraction through the snapshot's own serde deserializer: every
//! kind of Rust type a service derives, origins kept by `Sourced<T>`,
//! errors that name the option and where its value was written, secrets
//! masked in every error; and the same struct read from oslo.config's view
//! of the same file.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;

use crate::common;

use common::*;
use serde::Deserialize;
use stackauth::Loader;
use stackauth::opt::{Opt, OptType, Registry, Secret};
use stackauth::snapshot::{AccessError, Sourced};
use stackauth::source::{CliOverride, Env, Origin};

const G: &str = "app";

fn reg() -> Registry {
    registry([
        (G, Opt::string("name")),
        (G, Opt::string("password").secret()),
        (G, Opt::new("workers", OptType::integer()).default("4")),
        (G, Opt::new("bind_port", OptType::port())),
        (G, Opt::new("ratio", OptType::float()).default("0.5")),
        (G, Opt::new("whole", OptType::float())),
        (G, Opt::new("debug", OptType::boolean()).default("false")),
        (G, Opt::new("hosts", OptType::list())),
        (G, Opt::new("ports", OptType::list_of(OptType::integer()))),
        (G, Opt::new("limits", OptType::dict_of(OptType::integer()))),
        (G, Opt::new("labels", OptType::dict())),
        (G, Opt::new("mode", OptType::string_choices(["fast", "safe"])).default("safe")),
        (G, Opt::string("state_path")),
        (G, Opt::new("big", OptType::integer())),
        (G, Opt::new("negative", OptType::integer())),
        (G, Opt::string("region")),
        (G, Opt::new("one_char", OptType::string())),
        (G, Opt::multi_string("filters")),
    ])
}

// Column 1-based, counted after `key = `.
const BODY: &str = "[app]
name = glance
password = s3\"cr\\et
bind_port = 9292
whole = 3
hosts = a.example, b.example
ports = 80,443
limits = cpu:2,ram:512
labels = tier:web,zone:z1
state_path = /var/lib/glance
big = 9000000000
negative = -7
one_char = x
filters = one
filters = two
";

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Fast,
    Safe,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Port(u16);

fn default_region() -> String {
    "RegionOne".into()
}

fn load(d: &Dir) -> (stackauth::Snapshot, PathBuf) {
    let p = d.write("app.conf", BODY);
    (load_file(&reg(), &p).expect("loads"), p)
}

#[test]
fn every_supported_kind() {
    let d = Dir::new();
    let (s, _) = load(&d);
    let a: App = s.group_as(G).expect("extracts");
    assert_eq!(a.name, "glance");
    assert_eq!(a.password.expose(), "s3\"cr\\et");
    assert_eq!((a.workers, a.bind_port, a.ratio, a.whole, a.debug), (4, Port(9292), 0.5, 3.0, false));
    assert_eq!(a.hosts, ["a.example", "b.example"]);
    assert_eq!(a.ports, [80, 443]);
    assert_eq!(a.limits, HashMap::from([("cpu".to_owned(), 2), ("ram".to_owned(), 512)]));
    assert_eq!(a.labels, BTreeMap::from([("tier".into(), "web".into()), ("zone".into(), "z1".into())]));
    assert_eq!(a.mode, Mode::Safe);
    assert_eq!(a.state_path, PathBuf::from("/var/lib/glance"));
    assert_eq!((a.big, a.below_zero, a.one_char), (9_000_000_000, -7, 'x'));
    assert_eq!(a.filters, ["one", "two"]);
    assert_eq!((a.region, a.not_an_option), (None, 0));
    // A default for an unset option.
    #[derive(Deserialize)]
    struct Region {
        #[serde(default = "default_region")]
        region: String,
    }
    let r: Region = s.group_as(G).expect("extracts");
    assert_eq!(r.region, "RegionOne");
    assert!(!format!("{:?}", a.password).contains("cr"));

    // One option at a time, and the widths an integer fits.
    assert_eq!(s.get_as::<i128>(G, "big").expect("fits"), Some(9_000_000_000));
    assert_eq!(s.get_as::<u128>(G, "big").expect("fits"), Some(9_000_000_000));
    assert_eq!(s.get_as::<i64>(G, "negative").expect("fits"), Some(-7));
    assert_eq!(s.get_as::<i8>(G, "negative").expect("fits"), Some(-7));
    assert_eq!(s.get_as::<f64>(G, "workers").expect("an integer is a number"), Some(4.0));
    assert_eq!(s.get_as::<String>(G, "region").expect("unset"), None);
    assert_eq!(s.get_as::<(u16, u16)>(G, "ports").expect("a pair"), Some((80, 443)));
    assert_eq!(s.get_as::<String>(G, "password").expect("a secret as text").as_deref(), Some("s3\"cr\\et"));
    assert_eq!(s.get_as::<BTreeMap<String, u64>>(G, "limits").expect("ok").map(|m| m["ram"]), Some(512));
    // A dict as a struct, and as a map of sourced values.
    #[derive(Deserialize, Debug, PartialEq)]
    struct Limits {
        cpu: u8,
        ram: u16,
    }
    assert_eq!(s.get_as::<Limits>(G, "limits").expect("a struct"), Some(Limits { cpu: 2, ram: 512 }));
    let m = s.get_as::<BTreeMap<String, Sourced<u32>>>(G, "limits").expect("ok").expect("set");
    assert_eq!((*m["ram"], &m["ram"].origin), (512, &s.get(G, "limits").expect("set").origin));
    // A dict with number-like keys as a map keyed by numbers.
    let s2 = Loader::new(&reg()).set_override(G, "limits", "10:1,20:2").load().expect("loads");
    assert_eq!(s2.get_as::<BTreeMap<u16, u8>>(G, "limits").expect("ok"), Some(BTreeMap::from([(10, 1), (20, 2)])));
    // Options the struct does not name are ignored; so is a whole group
    // read as a map of the options that are set.
    let all: BTreeMap<String, serde::de::IgnoredAny> = s.group_as(G).expect("a map");
    assert!(all.contains_key("name") && all.contains_key("workers") && !all.contains_key("region"), "{all:?}");
}

/// Every kind of field a service derives.
#[derive(Deserialize, Debug)]
struct App {
    name: String,
    password: Secret,
    workers: u8,
    bind_port: Port,
    ratio: f64,
    whole: f32,
    debug: bool,
    hosts: Vec<String>,
    ports: Vec<u16>,
    limits: HashMap<String, u32>,
    labels: BTreeMap<String, String>,
    mode: Mode,
    state_path: PathBuf,
    big: u64,
    #[serde(rename = "negative")]
    below_zero: i16,
    one_char: char,
    filters: Vec<String>,
    // An unset option: absent from the group.
    region: Option<String>,
    // Not an option at all, with a default: fine.
    #[serde(default)]
    not_an_option: u32,
}

#[test]
fn sourced_fields_keep_file_env_cli_and_default_origins() {
    #[derive(Deserialize)]
    struct Origins {
        name: Sourced<String>,
        workers: Sourced<u8>,
        bind_port: Sourced<u16>,
        debug: Sourced<bool>,
        ports: Sourced<Vec<Sourced<u16>>>,
        password: Sourced<Secret>,
        region: Option<Sourced<String>>,
    }
    let d = Dir::new();
    let p = d.write("app.conf", BODY);
    let s = Loader::new(&reg())
        .config_file(&p)
        .env(Env::from_pairs([("OS_APP__BIND_PORT", "8080")]))
        .cli(CliOverride::parse("app.debug=true").expect("parses"))
        .load()
        .expect("loads");
    let o: Origins = s.group_as(G).expect("extracts");
    let at = |origin: &Origin| match origin {
        Origin::File(loc) => {
            assert_eq!(&*loc.path, p.as_path());
            (loc.line, loc.column)
        }
        other => panic!("not a file: {other:?}"),
    };
    assert_eq!((o.name.as_str(), at(&o.name.origin)), ("glance", (2, 8)));
    assert_eq!((*o.workers, &o.workers.origin), (4, &Origin::Default));
    assert_eq!((*o.bind_port, &o.bind_port.origin), (8080, &Origin::Env { var: "OS_APP__BIND_PORT".into() }));
    assert!(*o.debug);
    assert!(matches!(&o.debug.origin, Origin::Cli { .. }), "{:?}", o.debug.origin);
    assert_eq!(o.debug.origin, s.get(G, "debug").expect("set").origin);
    assert_eq!(at(&o.ports.origin), (7, 9));
    assert_eq!(o.ports.iter().map(|p| (p.value, at(&p.origin))).collect::<Vec<_>>(), [(80, (7, 9)), (443, (7, 9))]);
    assert_eq!((o.password.expose(), at(&o.password.origin)), ("s3\"cr\\et", (3, 12)));
    assert!(!format!("{:?} {}", o.password, o.password).contains("cr"));
    assert!(o.region.is_none());
    // Each origin is exactly what the snapshot says.
    for (opt, origin) in [("name", &o.name.origin), ("workers", &o.workers.origin), ("bind_port", &o.bind_port.origin)]
    {
        assert_eq!(origin, &s.get(G, opt).expect("set").origin, "{opt}");
    }
    // One option, too; and set_default / set_override origins.
    let s = Loader::new(&reg()).set_default(G, "workers", "2").set_override(G, "name", "nova").load().expect("loads");
    let w = s.get_as::<Sourced<u32>>(G, "workers").expect("fits").expect("set");
    assert_eq!(
        (w.into_inner(), s.get_as::<Sourced<u32>>(G, "workers").expect("ok").expect("set").origin),
        (2, Origin::SetDefault)
    );
    let n = s.get_as::<Sourced<String>>(G, "name").expect("fits").expect("set");
    assert_eq!((n.value.as_str(), n.origin), ("nova", Origin::Override));
}

#[test]
fn sourced_refuses_other_deserializers() {
    let e = serde_json::from_str::<Sourced<u16>>("{\"value\": 1}").expect_err("not a snapshot");
    assert!(e.to_string().contains("can only be read from a stackauth Snapshot"), "{e}");
    let e = serde_json::from_str::<Sourced<u16>>("5").expect_err("not a snapshot");
    assert!(e.to_string().contains("stackauth Snapshot"), "{e}");
}

fn mismatch(e: AccessError) -> Box<stackauth::snapshot::Mismatch> {
    match e {
        AccessError::Mismatch(m) => m,
        other => panic!("not a mismatch: {other:?}"),
    }
}

#[test]
fn errors_name_the_option_and_where_its_value_was_written() {
    let d = Dir::new();
    let (s, p) = load(&d);
    let file = p.display();

    // Out of range, from a file: the position of the value.
    let e = s.get_as::<u8>(G, "bind_port").expect_err("9292 > 255");
    assert_eq!(e.to_string(), format!("{file}:4:13: [app] bind_port: expected u8 (0 to 255), found integer `9292`"));
    let m = mismatch(e);
    assert_eq!((m.expected.as_deref(), m.found.as_deref()), (Some("u8 (0 to 255)"), Some("integer `9292`")));
    let e = s.get_as::<u32>(G, "negative").expect_err("negative");
    assert!(e.to_string().ends_with("[app] negative: expected u32 (0 to 4294967295), found integer `-7`"), "{e}");
    let e = s.get_as::<i32>(G, "big").expect_err("too big");
    assert!(e.to_string().contains(":11:7: [app] big: expected i32 (-2147483648 to 2147483647)"), "{e}");

    // Wrong types.
    let e = s.get_as::<bool>(G, "name").expect_err("a string");
    assert_eq!(e.to_string(), format!("{file}:2:8: [app] name: expected a boolean, found string \"glance\""));
    let e = s.get_as::<u16>(G, "ratio").expect_err("a float");
    assert_eq!(e.to_string(), "default: [app] ratio: expected u16, found floating point `0.5`");
    let e = s.get_as::<Vec<String>>(G, "workers").expect_err("not a list");
    assert!(e.to_string().starts_with("default: [app] workers: expected a sequence, found integer `4`"), "{e}");
    let e = s.get_as::<Mode>(G, "name").expect_err("no such variant");
    assert_eq!(e.to_string(), format!("{file}:2:8: [app] name: expected one of `fast`, `safe`, found `glance`"));
    let e = s.get_as::<(u16, u16, u16)>(G, "ports").expect_err("two items");
    assert!(e.to_string().contains("[app] ports: expected"), "{e}");
    let e = s.get_as::<(u16,)>(G, "ports").expect_err("too many");
    assert!(e.to_string().contains("[app] ports: expected 1 items, found 2 items"), "{e}");

    // Inside a list or a dict: the path to the item.
    let e = s.get_as::<Vec<u8>>(G, "ports").expect_err("443 > 255");
    let m = mismatch(e);
    assert_eq!((m.path.as_str(), m.option.as_str(), m.group.as_str()), ("[1]", "ports", "app"));
    assert!(m.to_string().starts_with(&format!("{file}:7:9: [app] ports[1]: expected u8")), "{m}");
    let e = s.get_as::<HashMap<String, u8>>(G, "limits").expect_err("512 > 255");
    assert!(e.to_string().contains("[app] limits.ram: expected u8 (0 to 255), found integer `512`"), "{e}");
    let e = s.get_as::<HashMap<u8, u32>>(G, "limits").expect_err("keys are words");
    assert!(e.to_string().contains("[app] limits.cpu: expected a key that is u8, found string \"cpu\""), "{e}");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NeedsDisk {
        cpu: u8,
        disk: u8,
    }
    let e = s.get_as::<NeedsDisk>(G, "limits").expect_err("no disk");
    assert_eq!(e.to_string(), format!("{file}:8:10: [app] limits: missing field `disk`"));

    // From the environment and the command line.
    let s = Loader::new(&reg())
        .env(Env::from_pairs([("OS_APP__WORKERS", "300")]))
        .cli(CliOverride::parse("app.ratio=2.5").expect("parses"))
        .load()
        .expect("loads");
    let e = s.get_as::<u8>(G, "workers").expect_err("300 > 255");
    assert_eq!(
        e.to_string(),
        "environment variable OS_APP__WORKERS: [app] workers: expected u8 (0 to 255), found integer `300`"
    );
    let e = s.get_as::<u8>(G, "ratio").expect_err("a float");
    let origin = s.get(G, "ratio").expect("set").origin.to_string();
    assert!(origin.starts_with("command line"), "{origin}");
    assert_eq!(e.to_string(), format!("{origin}: [app] ratio: expected u8, found floating point `2.5`"));

    // The same errors from a whole group.
    #[derive(Deserialize, Debug)]
    struct Narrow {
        #[allow(dead_code)]
        workers: u8,
    }
    let e = s.group_as::<Narrow>(G).expect_err("300 > 255");
    assert_eq!(
        e.to_string(),
        "environment variable OS_APP__WORKERS: [app] workers: expected u8 (0 to 255), found integer `300`"
    );
}

#[test]
fn unset_and_unknown_fields_are_named() {
    let d = Dir::new();
    let (s, _) = load(&d);
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NeedsRegion {
        region: String,
    }
    let e = s.group_as::<NeedsRegion>(G).expect_err("unset");
    assert_eq!(e, AccessError::Unset { group: G.into(), option: "region".into() });
    assert!(e.to_string().starts_with("[app] region: not set"), "{e}");
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Typo {
        wokers: u32,
    }
    let e = s.group_as::<Typo>(G).expect_err("no such option");
    assert_eq!(e, AccessError::NoSuchOpt { group: G.into(), option: "wokers".into() });
    // A struct that wants nothing else says which option it refused.
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        name: String,
    }
    let e = s.group_as::<Strict>(G).expect_err("password is not a field");
    assert!(e.to_string().contains("unknown field `password`"), "{e}");
    assert!(matches!(s.group_as::<NeedsRegion>("nope"), Err(AccessError::NoSuchGroup(_))));
}

#[test]
fn secrets_never_appear_in_errors() {
    const PASS: &str = "hunter\"2\\x";
    let reg = registry([
        (G, Opt::string("password").secret()),
        (G, Opt::new("keys", OptType::list()).secret()),
        (G, Opt::new("creds", OptType::dict()).secret()),
        (G, Opt::string("url")),
        (G, Opt::string("plain")),
        (G, Opt::new("pin", OptType::integer()).secret()),
    ]);
    let d = Dir::new();
    let p = d.write(
        "app.conf",
        format!("[app]\npassword = {PASS}\nkeys = k1secret,k2secret\ncreds = user:topsecret\nplain = x\nurl = http://u:$password@h/\npin = 987654\n"),
    );
    let s = load_file(&reg, &p).expect("loads");
    let file = p.display();
    let mut texts = Vec::new();
    let e = s.get_as::<u32>(G, "password").expect_err("a string");
    assert_eq!(e.to_string(), format!("{file}:2:12: [app] password: expected u32, found a secret (****)"));
    texts.push(format!("{e} {e:?}"));
    let e = s.get_as::<Mode>(G, "password").expect_err("not a variant");
    assert_eq!(
        e.to_string(),
        format!("{file}:2:12: [app] password: expected one of `fast`, `safe`, found a secret (****)")
    );
    texts.push(format!("{e} {e:?}"));
    let e = s.get_as::<char>(G, "password").expect_err("not one character");
    texts.push(format!("{e} {e:?}"));
    let e = s.get_as::<Vec<u8>>(G, "keys").expect_err("strings");
    assert!(e.to_string().contains("[app] keys[0]: expected u8, found a secret (****)"), "{e}");
    texts.push(format!("{e} {e:?}"));
    let e = s.get_as::<HashMap<String, bool>>(G, "creds").expect_err("strings");
    texts.push(format!("{e} {e:?}"));
    // A secret number.
    let e = s.get_as::<u8>(G, "pin").expect_err("too big");
    assert_eq!(e.to_string(), format!("{file}:7:7: [app] pin: expected u8 (0 to 255), found a secret (****)"));
    texts.push(format!("{e} {e:?}"));
    let e = s.get_as::<bool>(G, "pin").expect_err("a number");
    texts.push(format!("{e} {e:?}"));
    // A value that interpolates a secret is secret too.
    let e = s.get_as::<u16>(G, "url").expect_err("a string");
    texts.push(format!("{e} {e:?}"));
    // A type's own error message quoting the value.
    #[derive(Debug)]
    struct Quoting;
    impl<'de> Deserialize<'de> for Quoting {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = String::deserialize(d)?;
            Err(serde::de::Error::custom(format!("cannot use {s} or {s:?}")))
        }
    }
    let e = s.get_as::<Quoting>(G, "password").expect_err("refused");
    assert_eq!(e.to_string(), format!("{file}:2:12: [app] password: cannot use **** or \"****\""));
    texts.push(format!("{e} {e:?}"));
    // And from a whole group, including an error of the group's own type.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        password: u32,
    }
    let e = s.group_as::<Wrong>(G).expect_err("a string");
    texts.push(format!("{e} {e:?}"));
    #[derive(Debug)]
    struct WholeGroup;
    impl<'de> Deserialize<'de> for WholeGroup {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let m = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
            Err(serde::de::Error::custom(format!("refusing {m:?}")))
        }
    }
    let e = s.group_as::<WholeGroup>(G).expect_err("refused");
    assert!(matches!(e, AccessError::Type { .. }), "{e:?}");
    assert!(e.to_string().contains("****"), "{e}");
    texts.push(format!("{e} {e:?}"));
    for t in texts {
        for secret in ["hunter", "k1secret", "k2secret", "topsecret", "u:$password", "hunter\\\"2", "987654"] {
            assert!(!t.contains(secret), "{secret} leaked: {t}");
        }
    }
}

/// The typed values equal what oslo.config itself reads from the same
/// file: its JSON view (tests/oslo/dump.py) deserialized into the same
/// struct.
#[test]
fn typed_values_match_oslo_config() {
    let Some(py) = python::venv_python("typed extraction against oslo.config") else { return };
    #[derive(Deserialize, Debug, PartialEq)]
    struct Oslo {
        name: String,
        workers: u8,
        bind_port: u16,
        ratio: f64,
        whole: f32,
        debug: bool,
        hosts: Vec<String>,
        ports: Vec<u16>,
        limits: BTreeMap<String, u32>,
        labels: BTreeMap<String, String>,
        mode: Mode,
        state_path: PathBuf,
        big: u64,
        negative: i16,
        filters: Vec<String>,
        region: Option<String>,
    }
    let opt_data = "options:
  app:
    opts:
    - {name: name, type: string value}
    - {name: workers, type: integer value, default: 4}
    - {name: bind_port, type: port value}
    - {name: ratio, type: floating point value, default: 0.5}
    - {name: whole, type: floating point value}
    - {name: debug, type: boolean value, default: false}
    - {name: hosts, type: list value}
    - {name: ports, type: list value}
    - {name: limits, type: dict value}
    - {name: labels, type: dict value}
    - {name: mode, type: string value, default: safe, choices: [fast, safe]}
    - {name: state_path, type: string value}
    - {name: big, type: integer value}
    - {name: negative, type: integer value}
    - {name: filters, type: multi valued}
    - {name: region, type: string value}
";
    let d = Dir::new();
    let conf = d.write("app.conf", BODY.replace("password = s3\"cr\\et\n", "").replace("one_char = x\n", ""));
    let yaml = d.write("app.yaml", opt_data);
    let out = Command::new(py)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oslo/dump.py"))
        .arg("--opt-data")
        .arg(&yaml)
        .arg("--config-file")
        .arg(&conf)
        .output()
        .expect("runs dump.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dump: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(dump["load_error"].is_null(), "{dump}");
    let group = dump["groups"][G].as_object().expect("the group");
    // oslo.config gives every option, unset ones as null: the same as
    // absent for an Option field; its dict and list option types are of
    // strings, so the numbers it reads are strings there.
    let mut view = serde_json::Map::new();
    for (k, v) in group {
        let value = v.get("value").unwrap_or_else(|| panic!("{k}: oslo.config fails: {v}"));
        let value = match (k.as_str(), value) {
            ("ports", serde_json::Value::Array(a)) => {
                a.iter().map(|x| x.as_str().and_then(|s| s.parse::<u16>().ok()).map_or(x.clone(), Into::into)).collect()
            }
            ("limits", serde_json::Value::Object(o)) => o
                .iter()
                .map(|(k, x)| (k.clone(), x.as_str().and_then(|s| s.parse::<u32>().ok()).map_or(x.clone(), Into::into)))
                .collect(),
            _ => value.clone(),
        };
        view.insert(k.clone(), value);
    }
    let theirs: Oslo = serde_json::from_value(serde_json::Value::Object(view)).expect("oslo.config's view fits");
    let ours: Oslo = load_file(&reg(), &conf).expect("loads").group_as(G).expect("extracts");
    assert_eq!(ours, theirs);
}
