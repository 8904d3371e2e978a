//! The cost of reading an option from the current snapshot, idle and while
//! another thread reloads continuously (`cargo bench --bench snapshot_read`).

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use stackauth::Loader;
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::LiveConfig;

fn live() -> (tempfile::TempDir, LiveConfig) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("app.conf");
    std::fs::write(&path, "[DEFAULT]\nworkers = 4\n").expect("write");
    let mut r = Registry::new();
    r.register_opt("DEFAULT", Opt::new("workers", OptType::integer()).mutable()).expect("register");
    let live = LiveConfig::new(Loader::shared(Arc::new(r)).config_file(&path)).expect("load");
    (dir, live)
}

fn bench(c: &mut Criterion) {
    let (_dir, live) = live();
    let mut g = c.benchmark_group("snapshot_read");
    g.bench_function("peek (pointer load)", |b| b.iter(|| black_box(live.peek().groups().count())));
    g.bench_function("peek + get option", |b| {
        b.iter(|| black_box(live.peek().value("DEFAULT", "workers").and_then(|v| v.as_int())))
    });
    g.bench_function("snapshot (Arc clone)", |b| b.iter(|| black_box(live.snapshot())));

    let stop = Arc::new(AtomicBool::new(false));
    let reloader = {
        let (live, stop) = (live.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                live.reload();
                n += 1;
            }
            n
        })
    };
    g.bench_function("peek + get option, reloading meanwhile", |b| {
        b.iter(|| black_box(live.peek().value("DEFAULT", "workers").and_then(|v| v.as_int())))
    });
    g.finish();
    stop.store(true, Ordering::Relaxed);
    let reloads = reloader.join().expect("reloader");
    eprintln!("reloads during the measurement: {reloads}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
