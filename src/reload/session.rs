//! Keeping a Session's credentials and transport in step with a reloading
//! configuration: a password rotation is a file edit, not a restart.

use ring::digest::{Context, SHA256};

use super::live::{LiveConfig, ReloadEvent};
use crate::auth::{LoadedAuth, PluginRegistry, load_from_group, load_from_inputs};
use crate::resolve::LoadError;
use crate::session::Session;

/// Keeps a Session managed; dropping it stops the management.
pub struct ManagedSession {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ManagedSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for ManagedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ManagedSession")
    }
}

/// What identifies the credentials of a loaded group (a hash: it is never
/// shown, and holds no secret in clear).
fn auth_fingerprint(l: &LoadedAuth) -> Vec<u8> {
    let mut h = Context::new(&SHA256);
    h.update(l.plugin_name.as_bytes());
    h.update(&[0]);
    h.update(l.auth_group.as_bytes());
    if let Some(g) = l.snapshot.group(&l.auth_group) {
        for (dest, r) in g.iter() {
            h.update(&[0]);
            h.update(dest.as_bytes());
            h.update(&[1]);
            if let Some(v) = &r.value {
                h.update(v.to_plain_string().as_bytes());
            }
        }
    }
    h.finish().as_ref().to_vec()
}

impl LiveConfig {
    /// Loads `group`'s auth plugin, session and adapter settings from the
    /// current snapshot's read of the sources: the plugin and its options
    /// come from the same versions of the files as every value of that
    /// snapshot, whatever a writer does meanwhile.
    pub fn load_auth(&self, plugins: &PluginRegistry, group: &str) -> Result<LoadedAuth, LoadError> {
        let current = self.snapshot();
        match current.inputs() {
            Some(inputs) => load_from_inputs(self.loader(), inputs, plugins, group),
            None => load_from_group(self.loader(), plugins, group),
        }
    }

    /// After every successful reload, loads `group` again and, when its
    /// credentials or `auth_type` changed, makes `session` authenticate with
    /// the new plugin, once the new credentials have been accepted by the
    /// identity service; refused ones are reported and the old plugin is
    /// kept. Changed TLS or timeout settings rebuild the session's client.
    /// Needs a tokio runtime.
    pub fn manage_session(&self, session: Session, group: &str, plugins: PluginRegistry) -> ManagedSession {
        let live = self.clone();
        let group = group.to_owned();
        let mut events = self.events();
        let task = tokio::spawn(async move {
            let initial = live.load_auth(&plugins, &group).ok();
            let mut auth_fp = initial.as_ref().map(auth_fingerprint);
            let mut session_opts = initial.map(|l| l.session);
            loop {
                let event = match events.recv().await {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => ReloadEvent::Unchanged,
                    Err(_) => return,
                };
                if !matches!(event, ReloadEvent::Applied { .. } | ReloadEvent::Unchanged) {
                    continue;
                }
                let loaded = {
                    let (live, plugins, group) = (live.clone(), plugins.clone(), group.clone());
                    tokio::task::spawn_blocking(move || live.load_auth(&plugins, &group)).await
                };
                let loaded = match loaded {
                    Ok(Ok(l)) => l,
                    Ok(Err(e)) => {
                        let message = e.errors().next().map(ToString::to_string).unwrap_or_default();
                        tracing::error!(group = %group, "cannot load the new auth settings, keeping the old ones: {message}");
                        let _ = live.inner.events.send(ReloadEvent::AuthFailed { group: group.clone(), message });
                        continue;
                    }
                    Err(_) => continue,
                };
                if session_opts.as_ref() != Some(&loaded.session) {
                    match session.replace_transport(&loaded.session) {
                        Ok(()) => {
                            tracing::info!(group = %group, "transport settings changed: HTTP client rebuilt");
                            session_opts = Some(loaded.session.clone());
                        }
                        Err(e) => {
                            tracing::error!(group = %group, "cannot rebuild the HTTP client, keeping the old one: {e}")
                        }
                    }
                }
                let fp = auth_fingerprint(&loaded);
                if auth_fp.as_ref() == Some(&fp) {
                    continue;
                }
                match session.replace_auth(loaded.plugin.clone()).await {
                    Ok(()) => {
                        tracing::info!(group = %group, plugin = %loaded.plugin_name, "credentials changed: authenticated with the new ones");
                        auth_fp = Some(fp);
                        let _ = live.inner.events.send(ReloadEvent::AuthChanged { group: group.clone() });
                    }
                    Err(e) => {
                        let message = e.to_string();
                        tracing::error!(
                            group = %group,
                            "the new credentials failed, keeping the old ones while their token is valid: {message}"
                        );
                        let _ = live.inner.events.send(ReloadEvent::AuthFailed { group: group.clone(), message });
                    }
                }
            }
        });
        ManagedSession { task }
    }
}
