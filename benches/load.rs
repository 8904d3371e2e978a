//! Loading a large real service configuration (`cargo bench --bench load`):
//! Keystone's full option set (tests/data/optdata/keystone.yaml, 449
//! options in 47 groups, as oslo-config-generator wrote it), its 3,200-line
//! keystone.conf (the generator's sample with 90 options set, as
//! distributions ship it) and a config dir of five files
//! (bench/data/keystone.conf.d). bench/python/oslo_load.py measures
//! oslo.config on the same files.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use stackauth::Loader;
use stackauth::auth::PluginRegistry;
use stackauth::opt::Registry;
use stackauth::source::Origin;
use stackauth::tools::{optdata, optdata_cache, validate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn paths() -> (PathBuf, PathBuf, PathBuf) {
    let r = root();
    (
        r.join("tests/data/optdata/keystone.yaml"),
        r.join("bench/data/keystone.conf"),
        r.join("bench/data/keystone.conf.d"),
    )
}

fn loader<'r>(registry: &'r Registry, file: &Path, dir: &Path) -> Loader<'r> {
    Loader::new(registry).config_file(file).config_dir(dir)
}

/// Says what one load reads, for comparison with oslo_load.py's line.
fn describe(registry: &Registry, file: &Path, dir: &Path) {
    let snapshot = loader(registry, file, dir).load().expect("the bench config loads without errors");
    let options: usize = registry.groups().map(|g| g.opts().len()).sum();
    let from_files = registry
        .groups()
        .flat_map(|g| g.opts().map(move |o| (g.name(), o.dest())))
        .filter(|(g, o)| snapshot.get(g, o).is_some_and(|r| matches!(r.origin, Origin::File(_))))
        .count();
    eprintln!(
        "load: {} groups, {options} options, {from_files} set by the files, {} unknown, {} warnings",
        registry.groups().len(),
        snapshot.unknown().len(),
        snapshot.warnings().len()
    );
}

fn bench(c: &mut Criterion) {
    let (opt_data, file, dir) = paths();
    let registry = optdata::read_data(&opt_data).expect("opt-data").registry;
    describe(&registry, &file, &dir);
    let plugins = PluginRegistry::builtin();

    let mut g = c.benchmark_group("load");
    g.bench_function("file + dir (registry built)", |b| {
        b.iter(|| black_box(loader(&registry, &file, &dir).load().expect("load")))
    });
    g.bench_function("file + dir + registry copy", |b| {
        b.iter(|| {
            let r = registry.clone();
            black_box(loader(&r, &file, &dir).load().expect("load").groups().count())
        })
    });
    g.bench_function("validate (file + dir, auth plugin checked)", |b| {
        b.iter(|| {
            let report = validate::validate(&loader(&registry, &file, &dir), &plugins, &Default::default());
            black_box(report.findings.len())
        })
    });
    g.bench_function("registry from opt-data YAML", |b| {
        b.iter(|| black_box(optdata::read_data(&opt_data).expect("opt-data").registry.len()))
    });
    // What `stackauth validate` does from the second run on.
    let cache = std::env::temp_dir().join(format!("stackauth-bench-optdata-{}", std::process::id()));
    g.bench_function("registry from opt-data YAML, parsed document cached", |b| {
        b.iter(|| black_box(optdata_cache::read_data_cached(&opt_data, &cache).0.expect("opt-data").registry.len()))
    });
    let _ = std::fs::remove_dir_all(&cache);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
