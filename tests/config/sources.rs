//! The `Source` trait (issue 19): an application's own source stands where
//! its precedence says, is read once per load, keeps its origins, reports
//! its problems with the rest; and resolution from the inputs a snapshot
//! keeps is pure.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::Opt;
use stackauth::source::{CliOverride, Entry, Env, InMemory, Layer, Origin, Precedence, Source, SourceRead};

fn reg() -> stackauth::opt::Registry {
    registry([("g", Opt::string("x").default("declared")), ("g", Opt::multi_string("m")), ("g", Opt::string("y"))])
}

fn from_store(key: &str) -> Origin {
    Origin::Source { name: format!("store {key}") }
}

/// A source that counts its reads and gives `x` (and a value of `m`).
struct Counting {
    reads: Arc<AtomicUsize>,
    precedence: Precedence,
}

impl Source for Counting {
    fn describe(&self) -> String {
        "counting store".into()
    }

    fn precedence(&self) -> Precedence {
        self.precedence
    }

    fn read(&self) -> SourceRead {
        let n = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        SourceRead::layer(Layer::new(vec![
            Entry::new("g", "x", format!("store-{n}"), from_store("x")),
            Entry::new("g", "m", "from-store", from_store("m")),
        ]))
    }
}

fn counting(p: Precedence) -> (Counting, Arc<AtomicUsize>) {
    let reads = Arc::new(AtomicUsize::new(0));
    (Counting { reads: reads.clone(), precedence: p }, reads)
}

#[test]
fn a_file_precedence_source_comes_after_every_file_and_below_the_environment() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nx = file\nm = from-file\n");
    let reg = reg();
    let (store, reads) = counting(Precedence::File);
    let s = Loader::new(&reg).source(store).config_file(&a).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "store-1");
    assert_eq!(s.get("g", "x").expect("x").origin.to_string(), "store x");
    // Multi-valued options gather across file-precedence layers, in order.
    assert_eq!(s.value("g", "m").map(|v| v.to_string()), Some("from-file,from-store".into()));
    assert_eq!(reads.load(Ordering::SeqCst), 1, "one load, one read");

    let (store, _) = counting(Precedence::File);
    let env = Env::from_pairs([("OS_G__X", "env")]);
    let s = Loader::new(&reg).config_file(&a).source(store).env(env).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "env");
}

#[test]
fn environment_and_command_line_precedence() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nx = file\n");
    let reg = reg();
    let env = || Env::from_pairs([("OS_G__X", "env")]);
    let cli = || CliOverride::parse("g.x=cli").expect("parses");

    // With the environment: beats files; the command line beats it.
    let (store, _) = counting(Precedence::Environment);
    let s = Loader::new(&reg).config_file(&a).source(store).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "store-1");
    let (store, _) = counting(Precedence::Environment);
    let s = Loader::new(&reg).config_file(&a).source(store).cli(cli()).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "cli");

    // With the command line: beats the environment, loses to set_override.
    let (store, _) = counting(Precedence::CommandLine);
    let s = Loader::new(&reg).config_file(&a).env(env()).source(store).load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "store-1");
    let (store, _) = counting(Precedence::CommandLine);
    let s = Loader::new(&reg).source(store).set_override("g", "x", "over").load().expect("loads");
    assert_eq!(text(&s, "g", "x"), "over");
}

#[test]
fn in_memory_values_keep_their_origins() {
    let reg = reg();
    let mem = InMemory::new("app settings").set("g", "y", "mine", Origin::Source { name: "settings.y".into() });
    assert!(!format!("{mem:?}").contains("mine"), "Debug shows no value: {mem:?}");
    let s = Loader::new(&reg).source(mem.clone()).load().expect("loads");
    assert_eq!(text(&s, "g", "y"), "mine");
    assert_eq!(s.get("g", "y").expect("y").origin.to_string(), "settings.y");
    let s = Loader::new(&reg)
        .source(mem.precedence(Precedence::CommandLine))
        .env(Env::from_pairs([("OS_G__Y", "env")]))
        .load()
        .expect("loads");
    assert_eq!(text(&s, "g", "y"), "mine");
}

/// A source that fails in part: what it read is used, and its problem is
/// reported beside the files' own, all in one load.
struct Broken;

impl Source for Broken {
    fn describe(&self) -> String {
        "broken store".into()
    }

    fn read(&self) -> SourceRead {
        let problem = Diagnostic::error(Code::Io, "store unreachable: connection refused").at(from_store("y"));
        SourceRead {
            layers: vec![Layer::new(vec![Entry::new("g", "x", "partial", from_store("x"))])],
            diagnostics: vec![problem],
            ..SourceRead::default()
        }
    }
}

#[test]
fn a_source_problem_is_reported_with_the_files_problems() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nbroken line\n");
    let reg = reg();
    let err = Loader::new(&reg).config_file(&a).source(Broken).load().expect_err("two problems");
    let codes: Vec<(Code, String)> =
        err.errors().map(|e| (e.code, e.origin.as_ref().map(ToString::to_string).unwrap_or_default())).collect();
    assert_eq!(codes.len(), 2, "{err}");
    assert!(codes.iter().any(|(c, o)| *c == Code::IniSyntax && o.ends_with("a.conf:2:12")), "{err}");
    assert!(codes.iter().any(|(c, o)| *c == Code::Io && o == "store y"), "{err}");
    let (s, _) = Loader::new(&reg).source(Broken).load_lenient();
    assert_eq!(text(&s, "g", "x"), "partial");
}

#[test]
fn resolving_kept_inputs_again_reads_nothing_and_gives_the_same_snapshot() {
    let d = Dir::new();
    let a = d.write("a.conf", "[g]\nx = file\n[other]\nz = 1\n");
    let reg = reg();
    let (store, reads) = counting(Precedence::File);
    let loader = Loader::new(&reg).config_file(&a).source(store);
    let first = loader.load().expect("loads");
    let inputs = first.inputs().expect("a loaded snapshot keeps its inputs").clone();
    assert_eq!(inputs.files(), std::slice::from_ref(&a));
    // The file changes; resolving the kept inputs still gives the old text.
    std::fs::write(&a, "[g]\nx = changed\n").expect("write");
    let again = loader.resolve(&inputs).expect("resolves");
    assert_eq!(again, first);
    assert_eq!(reads.load(Ordering::SeqCst), 1, "resolution reads nothing");
    // Another schema over the same inputs: the unknown group becomes known.
    let mut wider = reg.clone();
    wider.register_opt("other", Opt::string("z")).expect("register");
    let other = loader.with_registry(&wider).resolve(&inputs).expect("resolves");
    assert_eq!(text(&other, "other", "z"), "1");
    assert_eq!(text(&other, "g", "x"), "store-1");
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    // A new load reads again.
    assert_eq!(text(&loader.load().expect("loads"), "g", "x"), "store-2");
}

#[test]
fn a_typed_field_keeps_a_source_origin() {
    #[derive(serde::Deserialize)]
    struct G {
        y: stackauth::snapshot::Sourced<String>,
    }
    let reg = reg();
    let mem = InMemory::new("app settings").set("g", "y", "mine", Origin::Source { name: "settings.y".into() });
    let g: G = Loader::new(&reg).source(mem).load().expect("loads").group_as("g").expect("typed");
    assert_eq!((g.y.value.as_str(), g.y.origin.to_string()), ("mine", "settings.y".into()));
}
