//! Where a service finds its config files when it is given none: oslo.config's
//! `find_config_files` and `find_config_dirs`, so a daemon started without
//! `--config-file` reads what its Python counterpart would.
//!
//! oslo.config looks for `PROJECT.conf` and then `PROG.conf` (and the
//! `.conf.d` dirs of the same names), each in the first of these dirs that
//! has it: `~/.PROJECT/`, `~/`, `/etc/PROJECT/`, `/etc/`,
//! `$SNAP_COMMON/etc/PROJECT/`, `$SNAP/etc/PROJECT/`. Without a project,
//! only `PROG.conf` in `~/` and `/etc/`. When the project and the program
//! have the same name, the file found is read twice, as oslo.config does.
//!
//! ```
//! use stackauth::source::ConfigSearch;
//! let search = ConfigSearch::new(Some("glance"), "glance-api").home("/home/glance").etc("/etc").no_snap();
//! assert_eq!(search.dirs()[0], std::path::Path::new("/home/glance/.glance"));
//! // Only what exists is returned.
//! let _files = search.config_files();
//! ```

use std::path::{Path, PathBuf};

/// The search oslo.config makes for default config files and dirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigSearch {
    project: Option<String>,
    prog: String,
    home: Option<PathBuf>,
    etc: PathBuf,
    snap_common: Option<PathBuf>,
    snap: Option<PathBuf>,
}

impl ConfigSearch {
    /// The search for `project` (oslo's `project`, e.g. `glance`) and
    /// `prog` (the program's name, e.g. `glance-api`; see
    /// [`ConfigSearch::prog_name`]), with this process's `$HOME`, `/etc`,
    /// `$SNAP_COMMON` and `$SNAP`.
    pub fn new(project: Option<&str>, prog: &str) -> ConfigSearch {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        ConfigSearch {
            project: project.filter(|p| !p.is_empty()).map(str::to_owned),
            prog: prog.to_owned(),
            home: var("HOME"),
            etc: PathBuf::from("/etc"),
            snap_common: var("SNAP_COMMON"),
            snap: var("SNAP"),
        }
    }

    /// The program's name as oslo.config derives it: the base name of
    /// `argv[0]`, without a `.py` ending.
    pub fn prog_name() -> String {
        let arg0 = std::env::args_os().next().unwrap_or_default();
        let base = Path::new(&arg0).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        base.strip_suffix(".py").map(str::to_owned).unwrap_or(base)
    }

    /// Another home directory (`~`); tests and tools that look on behalf
    /// of another user.
    pub fn home(mut self, home: impl Into<PathBuf>) -> ConfigSearch {
        self.home = Some(home.into());
        self
    }

    /// Another `/etc` (a container's root, a test's temp dir).
    pub fn etc(mut self, etc: impl Into<PathBuf>) -> ConfigSearch {
        self.etc = etc.into();
        self
    }

    /// Ignores `$SNAP` and `$SNAP_COMMON`.
    pub fn no_snap(self) -> ConfigSearch {
        self.snap(None::<PathBuf>, None::<PathBuf>)
    }

    /// Other `$SNAP_COMMON` and `$SNAP` dirs (`None`: unset).
    pub fn snap(mut self, snap_common: Option<impl Into<PathBuf>>, snap: Option<impl Into<PathBuf>>) -> ConfigSearch {
        self.snap_common = snap_common.map(Into::into);
        self.snap = snap.map(Into::into);
        self
    }

    /// The dirs searched, in order (oslo.config's `_get_config_dirs`).
    pub fn dirs(&self) -> Vec<PathBuf> {
        let project = self.project.as_deref();
        let mut dirs = Vec::new();
        if let (Some(home), Some(p)) = (&self.home, project) {
            dirs.push(home.join(format!(".{p}")));
        }
        if let Some(home) = &self.home {
            dirs.push(home.clone());
        }
        if let Some(p) = project {
            dirs.push(self.etc.join(p));
        }
        dirs.push(self.etc.clone());
        for snap in [&self.snap_common, &self.snap] {
            if let (Some(s), Some(p)) = (snap, project) {
                dirs.push(s.join("etc").join(p));
            }
        }
        dirs
    }

    /// The default config files that exist: `PROJECT.conf`, then
    /// `PROG.conf`, each from the first dir that has it.
    pub fn config_files(&self) -> Vec<PathBuf> {
        self.find(".conf")
    }

    /// The default config dirs that exist: `PROJECT.conf.d`, then
    /// `PROG.conf.d`, each from the first dir that has it.
    pub fn config_dirs(&self) -> Vec<PathBuf> {
        self.find(".conf.d")
    }

    fn find(&self, extension: &str) -> Vec<PathBuf> {
        let dirs = self.dirs();
        let names =
            self.project.iter().map(String::as_str).chain((!self.prog.is_empty()).then_some(self.prog.as_str()));
        // `os.path.exists`: anything by that name (a dir named x.conf too,
        // which oslo.config then fails to read, and so do we).
        names.filter_map(|n| dirs.iter().map(|d| d.join(format!("{n}{extension}"))).find(|p| p.exists())).collect()
    }
}
