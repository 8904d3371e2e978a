//! The Session's overhead over raw reqwest, measured interleaved: rounds
//! of one batch through a Session + Adapter and one batch of raw reqwest
//! with a fixed token (the order alternating), against the same keep-alive
//! server, at 1, 16 and 256 concurrent tasks. A slower or faster moment of
//! a busy machine falls on both clients of a round, so the median of the
//! per-round ratios holds where two separate runs would not. Beside wall
//! time it reports the client thread's CPU time per request (from
//! `/proc/thread-self/schedstat`), which waiting for a busy CPU does not
//! inflate: the cost the Session adds, whatever else the machine runs.
//!
//! ```sh
//! cargo bench --bench session_overhead            # 15 rounds
//! STACKAUTH_BENCH_ROUNDS=40 cargo bench --bench session_overhead
//! cargo bench --bench session_overhead -- --test  # one small round, a smoke test (as cargo test --benches)
//! ```
//!
//! For a profiler, `STACKAUTH_BENCH_PROFILE=session` (or `raw`;
//! `session:N:T` for N requests from T tasks) sends 3,000 requests from 16
//! tasks with that client alone and exits; with
//! `STACKAUTH_BENCH_CLOUD` set the server is another process, so the
//! profile holds the client only.
//!
//! Prints a table, then one JSON line per concurrency (for bench/run.sh).

#[path = "common/clients.rs"]
mod clients;
#[path = "common/cloud.rs"]
mod cloud;

use std::time::Instant;

use clients::{Raw, run, runtime, session, session_get, token_of};

/// CPU time of the calling thread, in seconds (0 where Linux's schedstat is
/// missing).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<f64>().ok()))
        .map_or(0.0, |ns| ns / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    // As criterion: measure under `cargo bench` (which passes --bench);
    // under `cargo test --benches`, or with --test, one small round.
    let smoke = std::env::args().any(|a| a == "--test") || !std::env::args().any(|a| a == "--bench");
    let rounds: usize =
        if smoke { 1 } else { std::env::var("STACKAUTH_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(15) };
    let rt = runtime();
    let addr = clients::cloud_addr();
    let (s, adapter) = session(addr);
    let raw = Raw::new(addr, &rt.block_on(token_of(&s)));

    // Wall and CPU seconds per request of `n` requests from `tasks` tasks.
    let batch = |session: bool, tasks: usize, n: u64| -> (f64, f64) {
        let (start, cpu) = (Instant::now(), thread_cpu());
        if session {
            let a = adapter.clone();
            rt.block_on(run(tasks, n, move || {
                let a = a.clone();
                async move { session_get(&a).await }
            }));
        } else {
            let r = raw.clone();
            rt.block_on(run(tasks, n, move || {
                let r = r.clone();
                async move { r.get().await }
            }));
        }
        (start.elapsed().as_secs_f64() / n as f64, (thread_cpu() - cpu) / n as f64)
    };

    if let Ok(which) = std::env::var("STACKAUTH_BENCH_PROFILE") {
        let mut parts = which.split(':');
        let which = parts.next().unwrap_or_default();
        let n = parts.next().and_then(|n| n.parse().ok()).unwrap_or(3000);
        let tasks = parts.next().and_then(|n| n.parse().ok()).unwrap_or(16);
        let (t, cpu) = batch(which == "session", tasks, n);
        println!("{which}: {:.1} µs per request, {:.1} µs CPU", t * 1e6, cpu * 1e6);
        return;
    }

    println!(
        "| concurrent | Session + Adapter | raw reqwest | overhead (wall) | client CPU per request | overhead (CPU) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut lines = Vec::new();
    for tasks in [1usize, 16, 256] {
        let n: u64 = if smoke { tasks as u64 } else { 3000 };
        // Warm both: connections open, allocator and caches settled.
        batch(true, tasks, n);
        batch(false, tasks, n);
        let (mut ts, mut tr, mut ratios, mut cs, mut cr, mut cpu_ratios) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (a, b) = if round % 2 == 0 {
                let a = batch(true, tasks, n);
                (a, batch(false, tasks, n))
            } else {
                let b = batch(false, tasks, n);
                (batch(true, tasks, n), b)
            };
            ts.push(a.0);
            tr.push(b.0);
            ratios.push(a.0 / b.0);
            cs.push(a.1);
            cr.push(b.1);
            cpu_ratios.push(if b.1 > 0.0 { a.1 / b.1 } else { 1.0 });
        }
        let (s_med, r_med, ratio) = (median(ts), median(tr), median(ratios));
        let (s_cpu, r_cpu, cpu_ratio) = (median(cs), median(cr), median(cpu_ratios));
        println!(
            "| {tasks} | {:.0} req/s ({:.1} µs) | {:.0} req/s ({:.1} µs) | {:+.1}% | {:.1} µs vs {:.1} µs | {:+.1}% |",
            1.0 / s_med,
            s_med * 1e6,
            1.0 / r_med,
            r_med * 1e6,
            (ratio - 1.0) * 100.0,
            s_cpu * 1e6,
            r_cpu * 1e6,
            (cpu_ratio - 1.0) * 100.0
        );
        lines.push(format!(
            r#"{{"bench": "session_overhead", "tasks": {tasks}, "rounds": {rounds}, "requests_per_batch": {n}, "session_s": {s_med:e}, "raw_s": {r_med:e}, "ratio": {ratio}, "session_cpu_s": {s_cpu:e}, "raw_cpu_s": {r_cpu:e}, "cpu_ratio": {cpu_ratio}}}"#
        ));
    }
    for l in lines {
        println!("{l}");
    }
}
