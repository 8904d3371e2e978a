//! Parsing alone (`cargo bench --bench parse`): the pieces of a load that
//! come before resolution, on bench/data/keystone.conf (3,200 lines, 125
//! KB, mostly comments) and the five files of bench/data/keystone.conf.d.
//! Subtracting these from benches/load.rs's "file + dir" leaves what
//! layering, interpolation, typing and the snapshot cost.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use stackauth::source::{self, ini};

fn files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/data");
    let mut files = vec![root.join("keystone.conf")];
    files.extend(source::dir_files(&root.join("keystone.conf.d")).expect("the bench config dir"));
    files
}

fn bench(c: &mut Criterion) {
    let files = files();
    let main = &files[0];
    let text = std::fs::read_to_string(main).expect("keystone.conf");

    let mut g = c.benchmark_group("parse");
    g.bench_function("keystone.conf: read only", |b| {
        b.iter(|| black_box(source::read::read_text(main).expect("read").len()))
    });
    g.bench_function("keystone.conf: lossless document", |b| {
        b.iter(|| black_box(ini::parse(black_box(&text)).0.lines().len()))
    });
    g.bench_function("keystone.conf: read + entries", |b| {
        b.iter(|| black_box(source::read(main).expect("parse").entries.len()))
    });
    g.bench_function("6 files: read + entries", |b| {
        b.iter(|| {
            let n: usize = files.iter().map(|f| source::read(f).expect("parse").entries.len()).sum();
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
