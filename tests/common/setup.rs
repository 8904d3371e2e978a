//! The tests' own setup scripts (tests/<server>/setup.sh): each finds or
//! installs a server and prints its path on its last line.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs tests/`name`/setup.sh and returns the path it printed last, or why
/// it failed (its exit status and standard error).
pub fn server_path(name: &str) -> Result<PathBuf, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join(name).join("setup.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let path = stdout.lines().last().unwrap_or("").trim();
    if out.status.success() && !path.is_empty() {
        Ok(PathBuf::from(path))
    } else {
        Err(format!("{} failed ({}): {}", script.display(), out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Runs `cmd` (bash with `script` and its arguments) and returns its
/// standard output, or why it failed (its exit status and both streams).
pub fn run_script(mut cmd: Command, script: &Path) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}):\n{}{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
