//! How load time grows (`bench/scale.sh` runs it): for each case directory
//! that bench/scale_gen.py wrote (optdata.json + file.conf), the time to
//! read the file, to read and parse it into entries (`source::read`), and
//! to load it whole (`Loader::load`: parse, layer, type, check, snapshot),
//! as CSV on stdout.
//!
//!     cargo bench --bench scale -- CASES_DIR
//!
//! Each figure is the median of repeated runs (at least 5, and at least
//! half a second of them, at most 2,000), with the registry built once
//! beforehand, as benches/load.rs measures the Keystone load.
//!
//! For counting instructions (callgrind, which a busy machine does not
//! disturb), `SCALE_ONCE=1` runs each step once, and CASES_DIR may be one
//! case's directory: bench/scale_instructions.sh does both.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stackauth::Loader;
use stackauth::namespace::optdata;
use stackauth::source;

/// Median seconds of `f` over repeated runs.
fn median(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    if std::env::var_os("SCALE_ONCE").is_some() {
        f();
        return start.elapsed().as_secs_f64();
    }
    let mut samples = Vec::new();
    while samples.len() < 5 || (start.elapsed() < Duration::from_millis(500) && samples.len() < 2000) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn cases(root: &Path) -> Vec<(String, PathBuf)> {
    if root.join("file.conf").exists() {
        return vec![("one".to_owned(), root.to_path_buf())];
    }
    let mut out = Vec::new();
    for series in ["options", "size"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(series))
            .unwrap_or_else(|e| panic!("{}: {e} (run bench/scale_gen.py first)", root.join(series).display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        out.extend(dirs.into_iter().map(|d| (series.to_owned(), d)));
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; the cases dir is the other argument.
    let root = std::env::args().skip(1).find(|a| !a.starts_with("--")).expect("usage: scale CASES_DIR");
    println!("series,case,options,bytes,lines,entries,read_us,parse_us,load_us");
    for (series, dir) in cases(Path::new(&root)) {
        let registry = optdata::read_data(&dir.join("optdata.json")).expect("opt-data").registry;
        let file = dir.join("file.conf");
        let options: usize = registry.groups().map(|g| g.opts().len()).sum();
        let text = std::fs::read_to_string(&file).expect("file.conf");
        let entries = source::read(&file).expect("the generated file parses").entries.len();
        let snapshot = Loader::new(&registry).config_file(&file).load().expect("the generated file loads");
        assert!(snapshot.unknown().is_empty(), "{}: every key is registered", dir.display());
        let read = median(|| {
            black_box(source::read::read_text(&file).expect("read").len());
        });
        let parse = median(|| {
            black_box(source::read(&file).expect("parse").entries.len());
        });
        let load = median(|| {
            black_box(Loader::new(&registry).config_file(&file).load().expect("load"));
        });
        let case = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        println!(
            "{series},{case},{options},{},{},{entries},{:.2},{:.2},{:.2}",
            text.len(),
            text.lines().count(),
            read * 1e6,
            parse * 1e6,
            load * 1e6
        );
    }
}
