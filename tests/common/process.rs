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

/// An example server that prints `listening on <url>` first, stopped when
/// dropped.
pub struct Listening {
    pub url: String,
    child: std::process::Child,
}

impl Listening {
    /// Starts example `name` with `args` and waits for its first line.
    pub fn start(name: &str, args: &[&std::ffi::OsStr]) -> Listening {
        use std::io::BufRead;
        let mut child = Command::new(example(name))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run example {name}: {e}"));
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
        let url = line.split_whitespace().nth(2).unwrap_or_else(|| panic!("{name} said {line:?}")).to_owned();
        Listening { url, child }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of a child's stdout or stderr as they come, read by a task
/// on the current runtime, for a test to wait on.
pub fn collect_lines(
    r: impl tokio::io::AsyncRead + Unpin + Send + 'static,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use tokio::io::AsyncBufReadExt;
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = lines.clone();
    tokio::spawn(async move {
        let mut l = tokio::io::BufReader::new(r).lines();
        while let Ok(Some(line)) = l.next_line().await {
            out.lock().expect("lock").push(line);
        }
    });
    lines
}
