//! A configuration that reloads: the current snapshot behind an atomic
//! pointer, replaced only by a complete, valid new one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::{broadcast, watch};

use super::diff::{Change, reconcile};
use crate::resolve::{LoadError, Loader};
use crate::snapshot::Snapshot;

/// What a reload did, as subscribers hear it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ReloadEvent {
    /// A new snapshot is current.
    Applied {
        /// Mutable options that changed.
        changes: Vec<Change>,
        /// Immutable options whose change was not applied (`group.option`).
        ignored: Vec<String>,
    },
    /// The sources were read again and nothing changed.
    Unchanged,
    /// The new configuration is broken: the last good one stays.
    Failed {
        /// Every problem found.
        error: Arc<LoadError>,
    },
    /// A managed Session now authenticates with new credentials.
    AuthChanged {
        /// The auth group.
        group: String,
    },
    /// New credentials could not be loaded or were refused: the old ones
    /// stay while their token is valid.
    AuthFailed {
        /// The auth group.
        group: String,
        /// Why (no credential in it).
        message: String,
    },
}

type Callback = Box<dyn Fn(&[Change]) + Send + Sync>;

pub(crate) struct Inner {
    pub(crate) loader: Loader<'static>,
    current: ArcSwap<Snapshot>,
    reloading: Mutex<()>,
    tx: watch::Sender<Arc<Snapshot>>,
    pub(crate) events: broadcast::Sender<ReloadEvent>,
    callbacks: Mutex<HashMap<String, Vec<Callback>>>,
}

/// A configuration that reloads: readers get the current snapshot with one
/// atomic pointer load, never a half-applied one, and never block.
///
/// ```no_run
/// use std::sync::Arc;
/// use stackauth::{Loader, opt::{Opt, OptType, Registry}, reload::LiveConfig};
/// let mut reg = Registry::new();
/// reg.register_opt("DEFAULT", Opt::new("workers", OptType::integer()).default("4").mutable()).unwrap();
/// let live = LiveConfig::new(Loader::shared(Arc::new(reg)).config_file("/etc/app/app.conf"))?;
/// let workers = live.snapshot().get_as::<u32>("DEFAULT", "workers");
/// live.reload(); // or: let _watching = live.watch()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct LiveConfig {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for LiveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveConfig").field("paths", &self.inner.loader.paths()).finish()
    }
}

impl LiveConfig {
    /// Loads the first snapshot; it must be valid.
    pub fn new(loader: Loader<'static>) -> Result<LiveConfig, LoadError> {
        let first = Arc::new(loader.load()?);
        let (tx, _) = watch::channel(first.clone());
        let (events, _) = broadcast::channel(64);
        Ok(LiveConfig {
            inner: Arc::new(Inner {
                loader,
                current: ArcSwap::new(first),
                reloading: Mutex::new(()),
                tx,
                events,
                callbacks: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The current snapshot (an atomic pointer load and a reference count).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.current.load_full()
    }

    /// The current snapshot without touching the reference count: the
    /// cheapest read, for hot paths. Do not hold it across an `.await`.
    pub fn peek(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.inner.current.load()
    }

    /// The loader that builds every snapshot.
    pub fn loader(&self) -> &Loader<'static> {
        &self.inner.loader
    }

    /// Each new snapshot, as it becomes current.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.inner.tx.subscribe()
    }

    /// Every reload's outcome, failures included.
    pub fn events(&self) -> broadcast::Receiver<ReloadEvent> {
        self.inner.events.subscribe()
    }

    /// Calls `f` with the changes to `group`'s options (old and new values)
    /// after each reload that changes any.
    pub fn on_change(&self, group: &str, f: impl Fn(&[Change]) + Send + Sync + 'static) {
        if let Ok(mut cbs) = self.inner.callbacks.lock() {
            cbs.entry(crate::opt::normalize_group(group)).or_default().push(Box::new(f));
        }
    }

    /// Reads every source again and, if the result is complete and valid,
    /// makes it current. A broken result leaves the last good snapshot in
    /// place and is logged once, with file and line.
    pub fn reload(&self) -> ReloadEvent {
        let _one = self.inner.reloading.lock();
        let old = self.snapshot();
        let event = match self.inner.loader.load() {
            Err(e) => {
                let first = e.errors().next().map(ToString::to_string).unwrap_or_default();
                tracing::error!(
                    errors = e.errors().count(),
                    "configuration reload failed, keeping the last good one: {first}"
                );
                ReloadEvent::Failed { error: Arc::new(e) }
            }
            Ok(mut new) => {
                let (changes, ignored) = reconcile(&old, &mut new, self.inner.loader.registry());
                for i in &ignored {
                    tracing::warn!(option = %i, "Ignoring change to immutable option {i}");
                }
                for c in &changes {
                    tracing::info!(group = %c.group, option = %c.option, "{c}");
                }
                let unchanged = changes.is_empty() && ignored.is_empty() && new == *old;
                let new = Arc::new(new);
                self.inner.current.store(new.clone());
                self.inner.tx.send_replace(new);
                self.notify_groups(&changes);
                if unchanged { ReloadEvent::Unchanged } else { ReloadEvent::Applied { changes, ignored } }
            }
        };
        let _ = self.inner.events.send(event.clone());
        event
    }

    fn notify_groups(&self, changes: &[Change]) {
        let Ok(cbs) = self.inner.callbacks.lock() else { return };
        let mut by_group: HashMap<String, Vec<Change>> = HashMap::new();
        for c in changes {
            by_group.entry(crate::opt::normalize_group(&c.group)).or_default().push(c.clone());
        }
        for (g, list) in by_group {
            for cb in cbs.get(&g).into_iter().flatten() {
                cb(&list);
            }
        }
    }
}
