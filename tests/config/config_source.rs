//! oslo.config's `config_source` in the config half: a driver of the
//! application's own (no network) and `Precedence::Fallback`, where such
//! sources stand: below files, the environment and the command line,
//! above set_default; the first named wins; asked by dest only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::Dir;
use stackauth::Loader;
use stackauth::diagnostic::Diagnostic;
use stackauth::opt::{DeprecatedName, Opt, OptType, Registry};
use stackauth::resolve::SourceDriver;
use stackauth::snapshot::Snapshot;
use stackauth::source::{Env, InMemory, Origin, Source};

/// `driver = map`: values given as `values = group.key=value;...` in its
/// group, each read counted.
struct MapDriver(Arc<AtomicUsize>);

struct Counted(InMemory, Arc<AtomicUsize>);

impl Source for Counted {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn read(&self) -> stackauth::source::SourceRead {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.read()
    }
}

impl SourceDriver for MapDriver {
    fn name(&self) -> &str {
        "map"
    }
    fn opts(&self) -> Vec<Opt> {
        vec![Opt::string("values").required()]
    }
    fn open(&self, group: &str, values: &Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>> {
        let text = values.value(group, "values").and_then(|v| v.as_str()).unwrap_or("").to_owned();
        let mut m = InMemory::new(format!("map [{group}]"));
        for item in text.split(';').filter(|s| !s.is_empty()) {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            let (g, k) = name.split_once('.').unwrap_or(("DEFAULT", name));
            m = m.set(g, k, value, Origin::Source { name: format!("map [{group}] {name}") });
        }
        Ok(Box::new(Counted(m, self.0.clone())))
    }
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register_opts(
        "DEFAULT",
        [
            Opt::new("a", OptType::integer()),
            Opt::new("b", OptType::integer()),
            Opt::new("c", OptType::integer()),
            Opt::new("d", OptType::integer()).default("0"),
            Opt::new("e", OptType::integer()).deprecated_name(DeprecatedName::name("old_e")),
            Opt::multi_string("m"),
        ],
    )
    .expect("register");
    r
}

#[test]
fn config_source_values_stand_below_files_env_and_cli_above_set_default() {
    let d = Dir::new();
    let p = d.write(
        "x.conf",
        "[DEFAULT]\nconfig_source = one, two\na = 1\nm = file\n\
         [one]\ndriver = map\nvalues = b=21;c=31;old_e=5;m=one\n\
         [two]\ndriver = map\nvalues = b=22;c=32;d=42;e=6\n",
    );
    let reads = Arc::new(AtomicUsize::new(0));
    let r = registry();
    let loader = Loader::new(&r)
        .config_file(&p)
        .config_source_driver(MapDriver(reads.clone()))
        .env(Env::from_pairs([("OS_DEFAULT__C", "3")]))
        .set_default("DEFAULT", "d", "40");
    let snap = loader.load().expect("loads");
    let int = |o: &str| snap.value("DEFAULT", o).and_then(|v| v.as_int());
    let origin = |o: &str| snap.get("DEFAULT", o).map(|r| r.origin.to_string()).unwrap_or_default();
    assert_eq!((int("a"), origin("a").ends_with("x.conf:3:5")), (Some(1), true), "a file beats every source");
    assert_eq!((int("b"), origin("b")), (Some(21), "map [one] b".to_owned()), "the first named wins");
    assert_eq!(origin("c"), "environment variable OS_DEFAULT__C");
    assert_eq!((int("d"), origin("d")), (Some(42), "map [two] d".to_owned()), "a source beats set_default");
    // A source is asked for the dest only, as oslo.config's source.get.
    assert_eq!((int("e"), origin("e")), (Some(6), "map [two] e".to_owned()));
    // Not gathered with the files.
    assert_eq!(snap.value("DEFAULT", "m").map(|v| format!("{v:?}")), Some("List([Str(\"file\")])".to_owned()));
    // One read per source per load.
    assert_eq!(reads.load(Ordering::SeqCst), 2);
    loader.load().expect("loads");
    assert_eq!(reads.load(Ordering::SeqCst), 4);
}

#[test]
fn config_source_from_the_environment_and_without_drivers() {
    let d = Dir::new();
    let p = d.write("x.conf", "[one]\ndriver = map\nvalues = a=7\n");
    let r = registry();
    let snap = Loader::new(&r)
        .config_file(&p)
        .config_source_driver(MapDriver(Arc::default()))
        .env(Env::from_pairs([("OS_DEFAULT__CONFIG_SOURCE", "one")]))
        .load()
        .expect("loads");
    assert_eq!(snap.value("DEFAULT", "a").and_then(|v| v.as_int()), Some(7));
    // A loader with no driver at all: an error, not a silent skip.
    let p = d.write("y.conf", "[DEFAULT]\nconfig_source = one\n[one]\ndriver = map\n");
    let e = Loader::new(&r).config_file(&p).load().expect_err("no driver");
    assert!(e.to_string().contains("no driver \"map\" in this program"), "{e}");
}

#[test]
fn no_config_source_no_extra_work() {
    let d = Dir::new();
    let p = d.write("x.conf", "[DEFAULT]\na = 1\n[one]\ndriver = map\n");
    let reads = Arc::new(AtomicUsize::new(0));
    let r = registry();
    Loader::new(&r).config_file(&p).config_source_driver(MapDriver(reads.clone())).load().expect("loads");
    assert_eq!(reads.load(Ordering::SeqCst), 0);
}
