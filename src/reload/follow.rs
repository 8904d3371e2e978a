//! Following a store that says when it changed (etcd's watch) or that is
//! asked (OpenBao's KV metadata, polled), instead of files.

#[cfg(any(feature = "etcd", feature = "openbao"))]
use std::time::Duration;

/// Keeps a store followed; dropping it stops the following.
pub struct Following {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Following {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl std::fmt::Debug for Following {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Following")
    }
}

/// How long a lost watch waits before connecting again (doubling to
/// [`MAX_BACKOFF`]).
#[cfg(feature = "etcd")]
const BACKOFF: Duration = Duration::from_millis(250);
#[cfg(feature = "etcd")]
const MAX_BACKOFF: Duration = Duration::from_secs(10);

#[cfg(feature = "etcd")]
impl super::LiveConfig {
    /// Follows `etcd`'s prefix with an etcd watch and reloads on every
    /// change (debounced by [`super::DEBOUNCE`]), so one key written
    /// reconfigures every daemon watching it; a change that does not
    /// validate leaves each on its last good snapshot
    /// ([`super::ReloadEvent::Failed`]). The watch starts after the
    /// revision the current snapshot read, so nothing written meanwhile is
    /// missed; a lost stream reconnects (with backoff, to the next
    /// endpoint) from the last revision seen and reloads once, in case. `etcd` is the source (or a
    /// clone of it) this configuration's loader reads. Needs a tokio
    /// runtime.
    pub fn watch_etcd(&self, etcd: &crate::auth::EtcdSource) -> Following {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
        let source = etcd.clone();
        let watcher = tokio::spawn(async move {
            let client = match source.client(None) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(source = %source.prefix(), "cannot watch etcd: {e}");
                    return;
                }
            };
            let mut seen = source.revision();
            let mut backoff = BACKOFF;
            let mut attempt = 0usize;
            loop {
                let start = seen.max(source.revision()) + 1;
                let mut changed = |rev: i64| {
                    seen = seen.max(rev);
                    let _ = tx.try_send(());
                };
                let opened = std::time::Instant::now();
                let result = source.watch_from(&client, start, attempt, &mut changed).await;
                // A stream that lasted is not a reason to wait long.
                if opened.elapsed() > MAX_BACKOFF {
                    backoff = BACKOFF;
                }
                // The next endpoint, next time.
                attempt = attempt.wrapping_add(1);
                match result {
                    Ok(()) => tracing::warn!(source = %source.prefix(), "the etcd watch ended; watching again"),
                    Err(e) => tracing::warn!(source = %source.prefix(), "the etcd watch failed ({e}); watching again"),
                }
                // Whatever happened while the stream was down is read again.
                let _ = tx.try_send(());
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        });
        let live = self.clone();
        let reloader = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                tokio::time::sleep(super::DEBOUNCE).await;
                while rx.try_recv().is_ok() {}
                let live = live.clone();
                let _ = tokio::task::spawn_blocking(move || live.reload()).await;
            }
        });
        Following { tasks: vec![watcher, reloader] }
    }
}

#[cfg(feature = "openbao")]
impl super::LiveConfig {
    /// Keeps `bao`'s token alive (renewed at half its TTL; an AppRole logs
    /// in again when renewal fails) and, every `every`, asks the KV
    /// metadata of each mapped secret for its current version: when one
    /// differs from what the current snapshot read, reloads. OpenBao has no
    /// change notification for KV, so a rotation is picked up within
    /// `every` (plus the reload). `bao` is the source (or a clone of it)
    /// this configuration's loader reads. Needs a tokio runtime.
    pub fn follow_openbao(&self, bao: &crate::auth::OpenBaoSource, every: Duration) -> Following {
        let bao = bao.clone();
        let live = self.clone();
        let task = tokio::spawn(async move {
            let client = match bao.client() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!("cannot follow OpenBao: {e}");
                    return;
                }
            };
            bao.learn_lease(&client).await;
            let mut failing = false;
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = bao.renew_if_due(&client).await {
                    tracing::error!("OpenBao: {e}");
                }
                match bao.current_versions(&client).await {
                    Ok(now) => {
                        failing = false;
                        if now != bao.versions() {
                            let live = live.clone();
                            let _ = tokio::task::spawn_blocking(move || live.reload()).await;
                        }
                    }
                    // Once per outage, not every poll.
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!("cannot poll OpenBao for new versions, keeping the current values: {e}");
                    }
                    Err(_) => {}
                }
            }
        });
        Following { tasks: vec![task] }
    }
}
