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
    SERVER.get_or_init(|| super::setup::server_path("memcached"))
}

/// A server certificate and key (PEM files) for memcached's TLS, and the
/// CA whose certificates it requires of clients, if it does.
#[derive(Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

pub struct Memcached {
    pub port: u16,
    /// A plain-text listener for the tests' own look (the same as `port`
    /// without TLS).
    plain_port: u16,
    tls: Option<TlsFiles>,
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
        let port = super::keystone::free_port().expect("a free port");
        let mut m = Memcached { port, plain_port: port, tls: None, child: None };
        m.restart();
        Some(m)
    }

    /// One with TLS on `port` (memcached's `-Z`) and plain text on another
    /// port for the tests' own look; `None` when live tests are skipped.
    pub fn start_tls(files: TlsFiles) -> Option<Memcached> {
        let mut m = Memcached::start()?;
        m.stop();
        m.plain_port = super::keystone::free_port().expect("a free port");
        m.tls = Some(files);
        m.restart();
        Some(m)
    }

    /// memcached's `stats`, by name.
    pub fn stats(&self) -> std::collections::HashMap<String, String> {
        let (mut r, mut w) = self.conn();
        w.write_all(b"stats\r\n").expect("write");
        let mut out = std::collections::HashMap::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).expect("read") == 0 || line.starts_with("END") {
                break;
            }
            let mut parts = line.trim_end().splitn(3, ' ');
            if let (Some("STAT"), Some(k), Some(v)) = (parts.next(), parts.next(), parts.next()) {
                out.insert(k.to_owned(), v.to_owned());
            }
        }
        out
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
        let mut args: Vec<String> = ["-U", "0", "-m", "16", "-u", "root"].iter().map(|s| s.to_string()).collect();
        match &self.tls {
            None => args.extend(["-l".into(), "127.0.0.1".into(), "-p".into(), self.port.to_string()]),
            Some(t) => {
                let mut o = format!("ssl_chain_cert={},ssl_key={}", t.cert.display(), t.key.display());
                if let Some(ca) = &t.client_ca {
                    // 2: a client certificate is required.
                    o.push_str(&format!(",ssl_ca_cert={},ssl_verify_mode=2", ca.display()));
                }
                args.extend([
                    "-Z".into(),
                    "-o".into(),
                    o,
                    "-l".into(),
                    format!("127.0.0.1:{}", self.port),
                    "-l".into(),
                    format!("notls:127.0.0.1:{}", self.plain_port),
                ]);
            }
        }
        let child = Command::new(server)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(format!("127.0.0.1:{}", self.plain_port)).is_err() {
            assert!(Instant::now() < deadline, "memcached did not start listening on {}", self.addr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn conn(&self) -> (BufReader<TcpStream>, TcpStream) {
        let s = TcpStream::connect(format!("127.0.0.1:{}", self.plain_port)).expect("connect to memcached");
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

    /// Every key the server holds (`lru_crawler metadump hash`: it walks
    /// the hash table. `metadump all` walks the LRUs, and misses an item
    /// the LRU maintainer moves behind the crawler meanwhile: CI once saw
    /// no key right after one was stored.)
    pub fn keys(&self) -> Vec<String> {
        for _ in 0..50 {
            let (mut r, mut w) = self.conn();
            w.write_all(b"lru_crawler metadump hash\r\n").expect("write");
            let mut keys = Vec::new();
            loop {
                let mut line = String::new();
                r.read_line(&mut line).expect("read");
                // Another crawl under way: ask again.
                if line.starts_with("BUSY") {
                    break;
                }
                if line.is_empty() || line.starts_with("END") {
                    return keys;
                }
                assert!(!line.starts_with("ERROR") && !line.starts_with("CLIENT_ERROR"), "metadump: {line}");
                if let Some(k) = line.split(' ').find_map(|f| f.strip_prefix("key=")) {
                    keys.push(percent_decode(k));
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("memcached's LRU crawler stayed busy");
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
