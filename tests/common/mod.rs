//! Helpers shared by the integration tests: real files in temp dirs.
#![allow(dead_code)]

pub mod barbican;
pub mod corpus;
pub mod etcd;
pub mod keystone;
pub mod logs;
pub mod memcached;
pub mod oidc;
pub mod openbao;
pub mod process;
pub mod python;
pub mod server;
pub mod setup;
pub mod tls;

use std::path::{Path, PathBuf};

use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::{Opt, Registry};
use stackauth::{LoadError, Loader, Snapshot};

/// A temp dir that lives as long as the test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir { tmp: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes `name` (creating parent dirs) and returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.tmp.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
        p
    }
}

/// A registry from (group, opt) pairs.
pub fn registry(opts: impl IntoIterator<Item = (&'static str, Opt)>) -> Registry {
    let mut r = Registry::new();
    for (g, o) in opts {
        r.register_opt(g, o).expect("register");
    }
    r
}

/// Loads one file with no environment.
pub fn load_file(reg: &Registry, path: &Path) -> Result<Snapshot, LoadError> {
    Loader::new(reg).config_file(path).load()
}

/// The plain text of a value (panics if unset).
pub fn text(s: &Snapshot, group: &str, opt: &str) -> String {
    s.value(group, opt).unwrap_or_else(|| panic!("[{group}] {opt} is unset")).to_plain_string()
}

/// The errors of a failed load.
pub fn errors(e: &LoadError) -> Vec<&Diagnostic> {
    e.errors().collect()
}

/// Expects a load to fail; returns its errors.
pub fn expect_err(r: Result<Snapshot, LoadError>) -> LoadError {
    match r {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e,
    }
}

/// Warnings with `code`.
pub fn warnings_with(s: &Snapshot, code: Code) -> Vec<&Diagnostic> {
    s.warnings().iter().filter(|d| d.code == code).collect()
}

/// Fixture tokens holding `alice-token`: alice, member of project `demo`,
/// with an `image` service (glance) at `image_url` in her catalog.
pub fn alice_with_image(image_url: &str) -> std::sync::Arc<stackauth::auth_token::fixture::FixtureTokens> {
    use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
    let tokens = std::sync::Arc::new(FixtureTokens::new());
    tokens.add(
        "alice-token",
        V3Token::new("alice-id").project("p", "demo").role("member").service(
            "image",
            "glance",
            [("public", image_url)],
        ),
    );
    tokens
}

/// A time as Keystone writes it (`YYYY-MM-DDTHH:MM:SSZ`), for token bodies
/// the tests serve. The library's own formatter is not public; this one is
/// written apart (Howard Hinnant's civil_from_days) so the two check each
/// other when a test reads a time back.
pub fn iso8601(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A token as keystoneauth logs it (`{SHA256}<hex>`), computed with an
/// independent SHA-256 (the library's hash is not public).
pub fn token_hash(token: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(token.as_bytes());
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("{{SHA256}}{hex}")
}
