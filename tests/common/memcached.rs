//! A real memcached for the shared-cache tests: the distribution's
//! `memcached`, installed on first use by tests/memcached/setup.sh (so
//! `cargo test` needs nothing installed beforehand), started on a free
//! loopback port, stopped when dropped.
//!
//! When it cannot start, the tests fail. Only outside CI, and only with
//! STACKAUTH_SKIP_LIVE=1 set, do they skip, loudly.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The server's path, found or installed once per test process.
fn server() -> &'static Result<PathBuf, String> {
    static SERVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/memcached/setup.sh");
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
            Err(format!(
                "{} failed ({}): {}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    })
}

pub struct Memcached {
    pub port: u16,
    child: Option<Child>,
}

impl Memcached {
    /// Starts one, or `None` when live tests are skipped (never under CI).
    pub fn start() -> Option<Memcached> {
        let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: live memcached test (STACKAUTH_SKIP_LIVE=1)");
            return None;
        }
        let mut m = Memcached { port: super::keystone::free_port().expect("a free port"), child: None };
        m.restart();
        Some(m)
    }

    /// `127.0.0.1:PORT`
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the server (connections are refused until `restart`).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        let server = match server() {
            Ok(path) => path,
            Err(e) => panic!("no memcached for the shared-cache tests: {e}"),
        };
        let child = Command::new(server)
            .args(["-l", "127.0.0.1", "-p", &self.port.to_string(), "-U", "0", "-m", "16", "-u", "root"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.addr()).is_err() {
            assert!(Instant::now() < deadline, "memcached did not start listening on {}", self.addr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn conn(&self) -> (BufReader<TcpStream>, TcpStream) {
        let s = TcpStream::connect(self.addr()).expect("connect to memcached");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        (BufReader::new(s.try_clone().expect("clone")), s)
    }

    /// The raw value under `key`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let (mut r, mut w) = self.conn();
        w.write_all(format!("get {key}\r\n").as_bytes()).expect("write");
        let mut line = String::new();
        r.read_line(&mut line).expect("read");
        if line == "END\r\n" {
            return None;
        }
        let len: usize = line.trim_end().rsplit(' ').next().and_then(|l| l.parse().ok()).expect("VALUE line");
        let mut data = vec![0; len + 2];
        r.read_exact(&mut data).expect("value");
        data.truncate(len);
        Some(data)
    }

    /// Stores a raw value (to tamper with an entry).
    pub fn set(&self, key: &str, value: &[u8]) {
        let (mut r, mut w) = self.conn();
        let mut msg = format!("set {key} 0 300 {}\r\n", value.len()).into_bytes();
        msg.extend_from_slice(value);
        msg.extend_from_slice(b"\r\n");
        w.write_all(&msg).expect("write");
        let mut line = String::new();
        r.read_line(&mut line).expect("read");
        assert_eq!(line, "STORED\r\n");
    }

    /// Every key the server holds (`lru_crawler metadump all`).
    pub fn keys(&self) -> Vec<String> {
        let (mut r, mut w) = self.conn();
        w.write_all(b"lru_crawler metadump all\r\n").expect("write");
        let mut keys = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).expect("read") == 0 || line.starts_with("END") || line.starts_with("ERROR") {
                break;
            }
            if let Some(k) = line.split(' ').find_map(|f| f.strip_prefix("key=")) {
                keys.push(percent_decode(k));
            }
        }
        keys
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for Memcached {
    fn drop(&mut self) {
        self.stop();
    }
}
