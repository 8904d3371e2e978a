//! The Python of the tests' Keystone venv (tests/keystone/setup.sh):
//! oslo.config, keystoneauth1, keystonemiddleware, os-service-types and
//! PyYAML come with Keystone, so the differential tests compare with the
//! real libraries. Installed on first use.
//!
//! Under CI a venv that cannot be set up fails the test; only outside CI,
//! and only with STACKAUTH_SKIP_LIVE=1 set, do the tests skip, loudly.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The venv's `python`, or `None` when live tests are skipped (never under
/// CI). `what` names the comparison in the skip message.
pub fn venv_python(what: &str) -> Option<&'static Path> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    python_of(&PYTHON, what, "keystone", "STACKAUTH_KEYSTONE_VENV", "target/keystone-venv")
}

/// The Python of the openstacksdk venv (tests/openstacksdk/setup.sh,
/// `$STACKAUTH_SDK_VENV`, else target/openstacksdk-venv), installed on first
/// use; `None` when live tests are skipped (never under CI).
pub fn sdk_python(what: &str) -> Option<&'static Path> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    python_of(&PYTHON, what, "openstacksdk", "STACKAUTH_SDK_VENV", "target/openstacksdk-venv")
}

/// The `python` of the venv that tests/`fixture`/setup.sh makes (at
/// `$venv_var`, else `default` under the crate), set up once per process in
/// `cell`; a venv that cannot be set up fails the test.
fn python_of(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    what: &str,
    fixture: &str,
    venv_var: &str,
    default: &str,
) -> Option<&'static Path> {
    let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1") {
        eprintln!("SKIPPED: {what} (STACKAUTH_SKIP_LIVE=1)");
        return None;
    }
    let found = cell.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let venv = std::env::var_os(venv_var).map(PathBuf::from).unwrap_or_else(|| root.join(default));
        let script = format!("tests/{fixture}/setup.sh");
        // Idempotent; two test processes at once may collide, so try twice.
        let setup = || {
            Command::new("bash")
                .arg(root.join(&script))
                .arg(&venv)
                .output()
                .map_err(|e| format!("cannot run {script}: {e}"))
        };
        let mut out = setup()?;
        if !out.status.success() {
            out = setup()?;
        }
        if !out.status.success() {
            return Err(format!("{script} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(venv.join("bin/python"))
    });
    match found {
        Ok(p) => Some(p),
        Err(e) => panic!("the {fixture} venv could not be set up for {what}:\n{e}"),
    }
}
