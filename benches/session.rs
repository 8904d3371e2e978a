//! Authenticated GETs through a Session + Adapter (catalog lookup, token
//! header) against raw reqwest sending a fixed token to the same local
//! keep-alive server, at 1, 16 and 256 concurrent tasks; and the token's
//! single flight: 1,000 concurrent requests with no token yet, and 1,000
//! concurrent requests whose token was revoked (`cargo bench --bench
//! session`). Times are per request (per burst for single flight).
//!
//! `benches/session_overhead.rs` measures the same two clients interleaved,
//! for a ratio that holds on a busy machine.

#[path = "common/clients.rs"]
mod clients;
#[path = "common/cloud.rs"]
mod cloud;

use std::time::{Duration, Instant};

use clients::{Raw, revoke, run, runtime, session, session_get, stats, token_of};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Sends `iters` requests (at least `tasks`, scaled back) and returns the
/// time for `iters`.
fn timed<F, Fut>(rt: &tokio::runtime::Runtime, tasks: usize, iters: u64, one: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let n = iters.max(tasks as u64);
    let t = rt.block_on(async {
        let start = Instant::now();
        run(tasks, n, one).await;
        start.elapsed()
    });
    t.mul_f64(iters as f64 / n as f64)
}

fn gets(c: &mut Criterion) {
    let rt = runtime();
    let addr = clients::cloud_addr();
    let (s, adapter) = session(addr);
    let raw = Raw::new(addr, &rt.block_on(token_of(&s)));
    for tasks in [1usize, 16, 256] {
        let mut g = c.benchmark_group(format!("session/GET, {tasks} concurrent"));
        g.throughput(Throughput::Elements(1));
        g.measurement_time(Duration::from_secs(4));
        let a = adapter.clone();
        g.bench_function("stackauth Session + Adapter", |b| {
            b.iter_custom(|iters| {
                let a = a.clone();
                timed(&rt, tasks, iters, move || {
                    let a = a.clone();
                    async move { session_get(&a).await }
                })
            })
        });
        let r = raw.clone();
        g.bench_function("raw reqwest", |b| {
            b.iter_custom(|iters| {
                let r = r.clone();
                timed(&rt, tasks, iters, move || {
                    let r = r.clone();
                    async move { r.get().await }
                })
            })
        });
        g.finish();
    }
}

const BURST: u64 = 1000;

fn single_flight(c: &mut Criterion) {
    let rt = runtime();
    let addr = clients::cloud_addr();
    let (s, adapter) = session(addr);
    let state = s.auth_state().expect("auth state");
    let mut g = c.benchmark_group("single_flight");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(8));
    let mut report = Vec::new();
    for (name, revoked) in [("1,000 concurrent first requests", false), ("1,000 concurrent 401s", true)] {
        let (mut bursts, mut posts) = (0u64, 0u64);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Untimed: a token in hand and then revoked on the
                    // server, or none at all.
                    rt.block_on(async {
                        if revoked {
                            token_of(&s).await;
                            revoke(addr).await;
                        } else {
                            state.invalidate();
                        }
                    });
                    let before = rt.block_on(stats(addr)).0;
                    let a = adapter.clone();
                    let start = Instant::now();
                    rt.block_on(run(BURST as usize, BURST, move || {
                        let a = a.clone();
                        async move { session_get(&a).await }
                    }));
                    total += start.elapsed();
                    posts += rt.block_on(stats(addr)).0 - before;
                    bursts += 1;
                }
                total
            })
        });
        report.push(format!("single flight, {name}: {bursts} bursts, {posts} token POSTs"));
    }
    g.finish();
    for line in report {
        eprintln!("{line}");
    }
}

criterion_group!(benches, gets, single_flight);
criterion_main!(benches);
