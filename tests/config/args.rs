//! `--config-file` and `--config-dir` for a clap command
//! (`resolve::args`), compared with oslo.config's own arguments on the same
//! command lines: files and dirs are read in the order given, interleaved.

use std::path::Path;
use std::process::Command;

use stackauth::Loader;
use stackauth::opt::Opt;
use stackauth::resolve::args;

use crate::common::{Dir, registry, text};

/// The value of `[DEFAULT] x` oslo.config reads with `argv`, run in `dir`.
fn oslo(python: &Path, dir: &Path, argv: &[&str]) -> String {
    let script = "import sys\n\
                  from oslo_config import cfg\n\
                  c = cfg.ConfigOpts()\n\
                  c.register_opt(cfg.StrOpt('x'))\n\
                  c(args=sys.argv[1:], project='stackauth-args-none', default_config_files=[], default_config_dirs=[])\n\
                  print(c.x)\n";
    let out = Command::new(python).arg("-c").arg(script).args(argv).current_dir(dir).output().expect("python runs");
    assert!(out.status.success(), "oslo.config: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn ours(dir: &Path, argv: &[&str]) -> String {
    let m = args::config_args(clap::Command::new("svc"))
        .try_get_matches_from(std::iter::once("svc").chain(argv.iter().copied()))
        .expect("arguments parse");
    let reg = registry([("DEFAULT", Opt::string("x"))]);
    let paths: Vec<_> = args::config_paths(&m)
        .into_iter()
        .map(|p| match p {
            stackauth::resolve::ConfigPath::File(f) => stackauth::resolve::ConfigPath::File(dir.join(f)),
            stackauth::resolve::ConfigPath::Dir(d) => stackauth::resolve::ConfigPath::Dir(dir.join(d)),
            other => panic!("config_paths gives files and dirs only, not {other:?}"),
        })
        .collect();
    text(&Loader::new(&reg).config_paths(paths).load().expect("loads"), "DEFAULT", "x")
}

#[test]
fn files_and_dirs_are_read_in_the_order_given_as_oslo_config_reads_them() {
    let Some(python) = crate::common::python::venv_python("oslo.config's --config-file/--config-dir order") else {
        return;
    };
    let d = Dir::new();
    d.write("a.conf", "[DEFAULT]\nx = from_a\n");
    d.write("b.conf", "[DEFAULT]\nx = from_b\n");
    d.write("d/1.conf", "[DEFAULT]\nx = from_d1\n");
    d.write("d/2.conf", "[DEFAULT]\nx = from_d2\n");
    d.write("e/1.conf", "[DEFAULT]\nx = from_e\n");
    let cases: [&[&str]; 7] = [
        &["--config-file", "a.conf"],
        &["--config-dir", "d", "--config-file", "a.conf"],
        &["--config-file", "a.conf", "--config-dir", "d"],
        &["--config-file", "a.conf", "--config-dir", "d", "--config-file", "b.conf"],
        &["--config-file=b.conf", "--config-dir=d", "--config-file=a.conf"],
        &["--config-dir", "e", "--config-dir", "d"],
        &["--config-dir", "d", "--config-file", "b.conf", "--config-dir", "e"],
    ];
    for argv in cases {
        assert_eq!(ours(d.path(), argv), oslo(python, d.path(), argv), "{argv:?}");
    }
}

#[test]
fn repeated_arguments_keep_their_order_in_the_paths() {
    let m = args::config_args(clap::Command::new("svc"))
        .try_get_matches_from([
            "svc",
            "--config-dir",
            "d",
            "--config-file",
            "a",
            "--config-dir",
            "e",
            "--config-file",
            "b",
        ])
        .expect("parses");
    use stackauth::resolve::ConfigPath::{Dir as D, File as F};
    assert_eq!(args::config_paths(&m), vec![D("d".into()), F("a".into()), D("e".into()), F("b".into())]);
    let none = args::config_args(clap::Command::new("svc")).try_get_matches_from(["svc"]).expect("parses");
    assert!(args::config_paths(&none).is_empty());
}
