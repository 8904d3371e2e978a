//! `--config-file` and `--config-dir` for a clap command, read as
//! oslo.config reads its own: each may repeat, and files and dirs are read
//! in the order they were given, interleaved (`--config-file a
//! --config-dir d --config-file b` reads a, then d's files, then b), with
//! the default files and dirs of [`ConfigSearch`](crate::source::ConfigSearch)
//! when none is given ([`Loader::oslo_config_paths`](super::Loader::oslo_config_paths)).
//!
//! A daemon's `main`:
//!
//! ```no_run
//! use stackauth::{Loader, opt::Registry, resolve::args, source::{ConfigSearch, Env}};
//! # let registry = Registry::new();
//! let m = args::config_args(clap::Command::new("glance-api")).get_matches();
//! let search = ConfigSearch::new(Some("glance"), "glance-api");
//! let snapshot = Loader::new(&registry).oslo_config_paths(&search, args::config_paths(&m)).env(Env::from_process()).load()?;
//! # Ok::<(), stackauth::LoadError>(())
//! ```

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};

use super::ConfigPath;

/// The id of `--config-file` in the matches.
pub const CONFIG_FILE: &str = "config_file";
/// The id of `--config-dir` in the matches.
pub const CONFIG_DIR: &str = "config_dir";

/// `cmd` with oslo.config's `--config-file PATH` and `--config-dir DIR`
/// (each repeatable, help as oslo.config words it).
pub fn config_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new(CONFIG_FILE)
            .long("config-file")
            .value_name("PATH")
            .action(ArgAction::Append)
            .value_parser(value_parser!(PathBuf))
            .help(
                "Path to a config file to use. Multiple config files can be specified, with values in later \
                 files taking precedence.",
            ),
    )
    .arg(
        Arg::new(CONFIG_DIR)
            .long("config-dir")
            .value_name("DIR")
            .action(ArgAction::Append)
            .value_parser(value_parser!(PathBuf))
            .help(
                "Path to a config directory to pull `*.conf` files from. The files are read in name order, \
                 after the config files given before this option and before those given after it.",
            ),
    )
}

/// The `--config-file` and `--config-dir` values of `m`, in the order they
/// were given on the command line.
pub fn config_paths(m: &ArgMatches) -> Vec<ConfigPath> {
    let mut found: Vec<(usize, ConfigPath)> = Vec::new();
    for (id, make) in [(CONFIG_FILE, ConfigPath::File as fn(PathBuf) -> ConfigPath), (CONFIG_DIR, ConfigPath::Dir)] {
        let (Ok(Some(values)), Some(indices)) = (m.try_get_many::<PathBuf>(id), m.indices_of(id)) else { continue };
        found.extend(indices.zip(values).map(|(i, p)| (i, make(p.clone()))));
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, p)| p).collect()
}
