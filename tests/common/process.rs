//! Running the tool under test as a process with nothing from the host:
//! no `OS_*` variables, HOME and the current dir in a temporary dir.
#![allow(dead_code)]

use std::process::Command;

use super::Dir;

/// A command for `program` with an empty environment but `PATH`, `HOME`
/// and the current dir set to `home`.
pub fn isolated(program: impl AsRef<std::ffi::OsStr>, home: &Dir) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .current_dir(home.path());
    c
}

/// A built example, by name (`cargo test --test X` does not build
/// examples: `cargo build --examples` first).
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("exe");
    let path = exe.parent().and_then(|p| p.parent()).expect("target").join("examples").join(name);
    assert!(path.exists(), "run `cargo build --examples` first: {}", path.display());
    path
}

/// What a run gave.
pub struct Out {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Out {
    /// Runs `c`, and checks that `secret` appears in neither output.
    pub fn of(mut c: Command, secret: &str) -> Out {
        let o = c.output().expect("runs");
        let r = Out {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        assert!(!r.out.contains(secret) && !r.err.contains(secret), "the secret leaked:\n{}\n{}", r.out, r.err);
        r
    }

    /// Standard error of a run that failed with exit code 1.
    pub fn error(&self) -> &str {
        assert_eq!(self.code, 1, "expected a failure:\n{}\n{}", self.out, self.err);
        &self.err
    }

    /// Standard output of a run that succeeded.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success:\n{}\n{}", self.out, self.err);
        &self.out
    }
}
