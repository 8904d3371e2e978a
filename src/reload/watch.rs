//! Watching the files behind a configuration.
//!
//! Editors save by writing a temporary file and renaming it over the old
//! one; Kubernetes swaps a `..data` symlink; files are deleted and created
//! again. So the parent directories are watched, not the files; events are
//! debounced; and a reload happens only when the sources' content actually
//! changed (a hash of every file and config dir listing).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use std::hash::Hasher;

use super::live::LiveConfig;
use crate::resolve::ConfigPath;

/// How long events settle before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Keeps a configuration watched; dropping it stops the watching.
pub struct Watching {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for Watching {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watching")
    }
}

/// The directories to watch: each file's parent, each config dir and its
/// parent.
fn watched_dirs(paths: &[ConfigPath]) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    let parent = |p: &Path| {
        p.parent().filter(|d| !d.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    for p in paths {
        match p {
            ConfigPath::File(f) => {
                dirs.insert(parent(f));
            }
            ConfigPath::Dir(d) => {
                dirs.insert(d.clone());
                dirs.insert(parent(d));
            }
        }
    }
    dirs
}

/// A hash of everything the sources hold now: each file's bytes (through
/// symlinks), each config dir's matching names and their bytes. Only to
/// skip reloads when nothing changed (editors and Kubernetes make several
/// events per save): 64 bits are plenty against accidental equality, and
/// whoever can write the files needs no collision to change the config.
pub(crate) fn fingerprint(paths: &[ConfigPath]) -> Vec<u8> {
    let mut h = std::hash::DefaultHasher::new();
    let mut file = |f: &Path| {
        h.write(f.as_os_str().as_encoded_bytes());
        match crate::source::read::read_bytes(f) {
            Ok(bytes) => {
                h.write_u8(1);
                h.write_u64(bytes.len() as u64);
                h.write(&bytes);
            }
            Err(e) => h.write(format!("\0{}", e.message).as_bytes()),
        }
    };
    for p in paths {
        match p {
            ConfigPath::File(f) => file(f),
            ConfigPath::Dir(d) => match crate::source::dir_files(d) {
                Ok(files) => files.iter().for_each(|f| file(f)),
                Err(_) => file(d),
            },
        }
    }
    h.finish().to_le_bytes().to_vec()
}

impl LiveConfig {
    /// Watches the files and config dirs behind this configuration and
    /// reloads when their content changes. Needs a tokio runtime.
    pub fn watch(&self) -> Result<Watching, notify::Error> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
        // Never block in notify's callback: hand the event over and return.
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            // Reads (ours included: the content hash opens every file) are
            // not changes.
            if res.is_ok_and(|e| !matches!(e.kind, notify::EventKind::Access(_))) {
                let _ = tx.try_send(());
            }
        })?;
        let paths = self.loader().paths().to_vec();
        for d in watched_dirs(&paths) {
            if d.is_dir() {
                watcher.watch(&d, RecursiveMode::NonRecursive)?;
            } else {
                tracing::warn!(dir = %d.display(), "cannot watch a directory that does not exist");
            }
        }
        // The baseline is what the sources hold now, before anything can
        // change them.
        let mut last = fingerprint(&paths);
        let live = self.clone();
        let task = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                // Let a burst of events (an editor's save, rapid writes) settle.
                tokio::time::sleep(DEBOUNCE).await;
                while rx.try_recv().is_ok() {}
                let now = {
                    let paths = paths.clone();
                    tokio::task::spawn_blocking(move || fingerprint(&paths)).await.unwrap_or_default()
                };
                if now == last {
                    continue;
                }
                last = now;
                let live = live.clone();
                let _ = tokio::task::spawn_blocking(move || live.reload()).await;
            }
        });
        Ok(Watching { _watcher: watcher, task })
    }
}
