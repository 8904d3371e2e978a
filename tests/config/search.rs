//! Default config files and dirs found as oslo.config finds them
//! (`find_config_files`, `find_config_dirs`), compared with the real
//! library on the same layouts (HOME, SNAP and SNAP_COMMON in a temp dir;
//! the real /etc, where no project of these names has files), and read by
//! a Loader in oslo.config's order.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stackauth::opt::Opt;
use stackauth::resolve::ConfigPath;
use stackauth::source::ConfigSearch;

use crate::common::{Dir, registry, text};

/// A project name nothing on this machine uses.
fn unique(tag: &str) -> String {
    format!("stackauth-search-{}-{tag}", std::process::id())
}

fn ours(dir: &Path, project: Option<&str>, prog: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let s =
        ConfigSearch::new(project, prog).home(dir.join("home")).snap(Some(dir.join("snapc")), Some(dir.join("snap")));
    (s.config_files(), s.config_dirs())
}

fn oslo(python: &Path, dir: &Path, project: Option<&str>, prog: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let script = "import json, sys\n\
                  from oslo_config import cfg\n\
                  project = sys.argv[1] or None\n\
                  print(json.dumps([cfg.find_config_files(project, sys.argv[2]), cfg.find_config_dirs(project, sys.argv[2])]))\n";
    let out = Command::new(python)
        .args(["-c", script, project.unwrap_or(""), prog])
        .env("HOME", dir.join("home"))
        .env("SNAP_COMMON", dir.join("snapc"))
        .env("SNAP", dir.join("snap"))
        .output()
        .expect("python runs");
    assert!(out.status.success(), "oslo.config: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths =
        |v: &Value| v.as_array().expect("list").iter().map(|p| PathBuf::from(p.as_str().expect("str"))).collect();
    (paths(&v[0]), paths(&v[1]))
}

#[test]
fn default_files_and_dirs_are_the_ones_oslo_config_finds() {
    let Some(python) = crate::common::python::venv_python("oslo.config's find_config_files") else { return };
    // (layout: paths to create, a trailing / for a dir; project; prog)
    let p1 = unique("a");
    let p2 = unique("b");
    let p3 = unique("c");
    let cases: Vec<(Vec<String>, Option<String>, String)> = vec![
        // the first dir that has each name wins; project before prog
        (
            vec![
                format!("home/.{p1}/{p1}.conf"),
                format!("home/{p1}.conf"),
                format!("home/{p1}-api.conf"),
                format!("snapc/etc/{p1}/{p1}-api.conf"),
                format!("home/.{p1}/{p1}.conf.d/"),
                format!("snap/etc/{p1}/{p1}-api.conf.d/"),
            ],
            Some(p1.clone()),
            format!("{p1}-api"),
        ),
        // only the snaps have them: SNAP_COMMON before SNAP
        (
            vec![
                format!("snap/etc/{p2}/{p2}.conf"),
                format!("snapc/etc/{p2}/{p2}.conf"),
                format!("snap/etc/{p2}/x.conf"),
            ],
            Some(p2.clone()),
            "x".into(),
        ),
        // no project: only PROG.conf, in ~ (and /etc)
        (vec![format!("home/{p3}.conf"), format!("home/.{p3}/{p3}.conf")], None, p3.clone()),
        // project and prog the same: found twice
        (vec![format!("home/{p3}-same.conf")], Some(format!("{p3}-same")), format!("{p3}-same")),
        // a directory named like a file exists, so it is found
        (vec![format!("home/.{p1}-dir/{p1}-dir.conf/")], Some(format!("{p1}-dir")), "prog".into()),
        // nothing anywhere
        (vec![], Some(unique("none")), unique("none-prog")),
    ];
    let mut compared = 0;
    for (layout, project, prog) in cases {
        let dir = Dir::new();
        for p in &layout {
            match p.strip_suffix('/') {
                Some(d) => std::fs::create_dir_all(dir.path().join(d)).expect("mkdir"),
                None => drop(dir.write(p, "[DEFAULT]\n")),
            }
        }
        let want = oslo(python, dir.path(), project.as_deref(), &prog);
        let got = ours(dir.path(), project.as_deref(), &prog);
        assert_eq!(got, want, "layout {layout:?}, project {project:?}, prog {prog}");
        compared += want.0.len() + want.1.len();
    }
    assert!(compared >= 8, "the layouts found too little to compare: {compared}");
    eprintln!("default config search: 6 layouts, {compared} paths, same as oslo.config");
}

#[test]
fn loader_reads_defaults_in_oslo_configs_order_unless_given() {
    let dir = Dir::new();
    let home = dir.path().join("home");
    let reg = registry([("DEFAULT", Opt::string("who")), ("DEFAULT", Opt::string("from_dir"))]);
    dir.write("home/.svc/svc.conf", "[DEFAULT]\nwho = default file\n");
    dir.write("home/.svc/svc.conf.d/10.conf", "[DEFAULT]\nfrom_dir = default dir\nwho = default dir\n");
    let given = dir.write("given.conf", "[DEFAULT]\nwho = given file\n");
    let search = ConfigSearch::new(Some("svc"), "svc-api").home(&home).etc(dir.path().join("etc")).no_snap();

    // Nothing given: the default file, then the default dir.
    let s = stackauth::Loader::new(&reg).oslo_config_paths(&search, []).load().expect("loads");
    assert_eq!(text(&s, "DEFAULT", "who"), "default dir");

    // A file given: no default file; the default dir still, read before it.
    let s = stackauth::Loader::new(&reg)
        .oslo_config_paths(&search, [ConfigPath::File(given.clone())])
        .load()
        .expect("loads");
    assert_eq!(text(&s, "DEFAULT", "who"), "given file");
    assert_eq!(text(&s, "DEFAULT", "from_dir"), "default dir");

    // A dir given: no default dir.
    let empty = dir.path().join("empty.d");
    std::fs::create_dir(&empty).expect("mkdir");
    let s = stackauth::Loader::new(&reg).oslo_config_paths(&search, [ConfigPath::Dir(empty)]).load().expect("loads");
    assert_eq!(text(&s, "DEFAULT", "who"), "default file");
    assert!(s.value("DEFAULT", "from_dir").is_none());
}
