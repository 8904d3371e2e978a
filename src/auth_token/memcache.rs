//! A small memcached client (text protocol, `get` and `set`) for the shared
//! token cache: a pool of connections per server, a timeout on every
//! operation, and a server that failed left alone for `dead_retry`.
//!
//! Keys go to servers as python-memcached sends them (CRC-32 of the key,
//! `(crc >> 16) & 0x7fff` modulo the number of servers), so Rust and Python
//! services given the same `memcached_servers` list agree on where an entry
//! lives while every server is up (python-memcached then rehashes to
//! another server; this client treats the key as a miss).

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// A connection: plain TCP or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
type Conn = BufStream<Box<dyn Io>>;

/// The largest value accepted from a server (memcached's own default item
/// limit is 1 MiB).
const MAX_VALUE: usize = 8 << 20;

/// How the client behaves.
#[derive(Clone)]
pub(crate) struct MemcacheOptions {
    /// Connect, read and write timeout (`memcache_pool_socket_timeout`).
    pub timeout: Duration,
    /// How long a failed server is skipped (`memcache_pool_dead_retry`).
    pub dead_retry: Duration,
    /// Connections per server at most, busy and idle
    /// (`memcache_pool_maxsize`).
    pub max_connections: usize,
    /// How long an idle connection is kept (`memcache_pool_unused_timeout`).
    pub unused_timeout: Duration,
    /// How long an operation waits for a connection when all are busy
    /// (`memcache_pool_conn_get_timeout`).
    pub conn_get_timeout: Duration,
    /// TLS to the servers (`memcache_tls_enabled`), if on.
    pub tls: Option<tokio_rustls::TlsConnector>,
}

struct Server {
    addr: String,
    /// The name its certificate must have: the host of `addr`.
    host: String,
    /// Idle connections, with when each was last used.
    idle: Mutex<Vec<(Instant, Conn)>>,
    /// One per connection, busy or idle.
    permits: Arc<tokio::sync::Semaphore>,
    dead_until: Mutex<Option<Instant>>,
}

/// A client for a list of memcached servers.
pub(crate) struct Memcache {
    servers: Vec<Server>,
    options: MemcacheOptions,
}

impl std::fmt::Debug for Memcache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memcache").field("servers", &self.servers.iter().map(|s| &s.addr).collect::<Vec<_>>()).finish()
    }
}

/// `host:port`, `[v6]:port`, python-memcached's `inet6:[v6]:port`, or a host
/// alone (port 11211).
/// A `memcached_servers` setting that names no usable server.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemcacheConfigError {
    /// An entry that is not `host:port` (a unix socket, an empty entry).
    #[error("{server:?} is not a memcached server address (host:port)")]
    NotAnAddress {
        /// The entry as written.
        server: String,
    },
    /// An entry whose port is not a port number.
    #[error("{server:?}: port {port:?} is not a port number")]
    BadPort {
        /// The entry as written.
        server: String,
        /// The port as written.
        port: String,
    },
    /// No servers at all.
    #[error("memcached_servers is empty")]
    NoServers,
    /// TLS to memcached could not be set up (a CA bundle or client
    /// certificate that cannot be read).
    #[error("memcached TLS: {0}")]
    Tls(String),
}

/// The TLS connector for `t`: its CA bundle (else the platform's
/// verifier), its client certificate if any.
pub(crate) fn tls_connector(t: &super::config::MemcacheTls) -> Result<tokio_rustls::TlsConnector, MemcacheConfigError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    crate::auth::transport::install_crypto_provider();
    let err = |what: &str, p: &std::path::Path, e: &dyn std::fmt::Display| {
        MemcacheConfigError::Tls(format!("{what} {}: {e}", p.display()))
    };
    let certs = |what: &str, p: &std::path::Path| -> Result<Vec<CertificateDer<'static>>, MemcacheConfigError> {
        let list = CertificateDer::pem_file_iter(p)
            .map_err(|e| err(what, p, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(what, p, &e))?;
        if list.is_empty() {
            return Err(err(what, p, &"holds no PEM certificate"));
        }
        Ok(list)
    };
    let builder = match &t.cafile {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in certs("memcache_tls_cafile", ca)? {
                roots.add(c).map_err(|e| err("memcache_tls_cafile", ca, &e))?;
            }
            rustls::ClientConfig::builder().with_root_certificates(roots)
        }
        None => {
            use rustls_platform_verifier::BuilderVerifierExt;
            rustls::ClientConfig::builder()
                .with_platform_verifier()
                .map_err(|e| MemcacheConfigError::Tls(format!("the system's certificate verifier: {e}")))?
        }
    };
    let config = match &t.certfile {
        Some(cert) => {
            let chain = certs("memcache_tls_certfile", cert)?;
            let key_path = t.keyfile.as_deref().unwrap_or(cert);
            // The key's own error may quote key material: not repeated.
            let key = PrivateKeyDer::from_pem_file(key_path)
                .map_err(|_| err("memcache_tls_keyfile", key_path, &"holds no usable PEM private key"))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| err("memcache_tls_certfile", cert, &e))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)))
}

fn socket_addr(spec: &str) -> Result<String, MemcacheConfigError> {
    let s = spec.trim();
    let s = s.strip_prefix("inet:").or_else(|| s.strip_prefix("inet6:")).unwrap_or(s);
    if s.is_empty() || s.starts_with("unix:") {
        return Err(MemcacheConfigError::NotAnAddress { server: spec.to_owned() });
    }
    let has_port = match s.rfind(']') {
        Some(end) => s[end..].contains(':'),
        None => s.matches(':').count() == 1,
    };
    if has_port {
        let (_, port) = s.rsplit_once(':').unwrap_or_default();
        port.parse::<u16>()
            .map_err(|_| MemcacheConfigError::BadPort { server: spec.to_owned(), port: port.to_owned() })?;
        Ok(s.to_owned())
    } else if s.contains(':') && !s.starts_with('[') {
        Ok(format!("[{s}]:11211"))
    } else {
        Ok(format!("{s}:11211"))
    }
}

/// CRC-32 (IEEE), as Python's `binascii.crc32`.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl Memcache {
    /// A client for `servers` (as `memcached_servers` lists them).
    pub fn new(servers: &[String], options: MemcacheOptions) -> Result<Memcache, MemcacheConfigError> {
        let permits = options.max_connections.max(1);
        let servers = servers
            .iter()
            .map(|s| {
                let addr = socket_addr(s)?;
                let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h);
                let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
                Ok(Server {
                    addr,
                    host,
                    idle: Mutex::new(Vec::new()),
                    permits: Arc::new(tokio::sync::Semaphore::new(permits)),
                    dead_until: Mutex::new(None),
                })
            })
            .collect::<Result<Vec<_>, MemcacheConfigError>>()?;
        if servers.is_empty() {
            return Err(MemcacheConfigError::NoServers);
        }
        Ok(Memcache { servers, options })
    }

    fn server(&self, key: &str) -> &Server {
        let hash = (crc32(key.as_bytes()) >> 16) & 0x7fff;
        &self.servers[hash as usize % self.servers.len()]
    }

    /// The value stored under `key`, if any.
    pub async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        let server = self.server(key);
        self.with_conn(server, |mut c| async move {
            c.write_all(format!("get {key}\r\n").as_bytes()).await?;
            c.flush().await?;
            let mut line = String::new();
            c.read_line(&mut line).await?;
            if line == "END\r\n" {
                return Ok((c, None));
            }
            let mut parts = line.trim_end().split(' ');
            let (Some("VALUE"), Some(k), Some(_flags), Some(len)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid(format!("unexpected answer to get: {:?}", line.trim_end())));
            };
            if k != key {
                return Err(invalid("the server answered for another key"));
            }
            let len: usize = len.parse().map_err(|_| invalid("bad value length"))?;
            if len > MAX_VALUE {
                return Err(invalid(format!("a value of {len} bytes is larger than the {MAX_VALUE} accepted")));
            }
            let mut data = vec![0u8; len + 2];
            c.read_exact(&mut data).await?;
            if !data.ends_with(b"\r\n") {
                return Err(invalid("value not followed by CRLF"));
            }
            data.truncate(len);
            line.clear();
            c.read_line(&mut line).await?;
            if line != "END\r\n" {
                return Err(invalid("value not followed by END"));
            }
            Ok((c, Some(data)))
        })
        .await
    }

    /// Stores `value` under `key` for `ttl` (at least one second).
    pub async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> io::Result<()> {
        let server = self.server(key);
        let secs = ttl.as_secs().clamp(1, 30 * 24 * 3600);
        self.with_conn(server, |mut c| async move {
            let mut msg = format!("set {key} 0 {secs} {}\r\n", value.len()).into_bytes();
            msg.extend_from_slice(value);
            msg.extend_from_slice(b"\r\n");
            c.write_all(&msg).await?;
            c.flush().await?;
            let mut line = String::new();
            c.read_line(&mut line).await?;
            match line.as_str() {
                "STORED\r\n" => Ok((c, Ok(()))),
                // About this item (too large, out of memory for it): the
                // server and the connection are fine.
                l if l.starts_with("SERVER_ERROR ") || l.starts_with("NOT_STORED") => {
                    Ok((c, Err(l.trim_end().to_owned())))
                }
                l => Err(invalid(format!("unexpected answer to set: {:?}", l.trim_end()))),
            }
        })
        .await?
        .map_err(|reply| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("memcached did not store the entry: {reply}"))
        })
    }

    /// Runs `op` on a pooled (or new) connection with the timeout; on any
    /// failure the connection is dropped and the server skipped for
    /// `dead_retry`. At most `max_connections` per server: an operation
    /// waits `conn_get_timeout` for one (then fails, the server not marked
    /// dead); idle ones older than `unused_timeout` are closed.
    async fn with_conn<T, F, Fut>(&self, server: &Server, op: F) -> io::Result<T>
    where
        F: FnOnce(Conn) -> Fut,
        Fut: std::future::Future<Output = io::Result<(Conn, T)>>,
    {
        if let Ok(dead) = server.dead_until.lock() {
            if dead.is_some_and(|until| Instant::now() < until) {
                return Err(io::Error::new(io::ErrorKind::NotConnected, format!("{} is marked dead", server.addr)));
            }
        }
        let _permit = match tokio::time::timeout(self.options.conn_get_timeout, server.permits.acquire()).await {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err(io::Error::other(format!("memcached {}: the pool is closed", server.addr))),
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "memcached {}: all {} connections busy for {:?} (memcache_pool_maxsize, \
                         memcache_pool_conn_get_timeout)",
                        server.addr, self.options.max_connections, self.options.conn_get_timeout
                    ),
                ));
            }
        };
        let pooled = server.idle.lock().ok().and_then(|mut idle| {
            // The most recently used first; the stale ones are closed.
            idle.retain(|(at, _)| at.elapsed() < self.options.unused_timeout);
            idle.pop().map(|(_, c)| c)
        });
        let attempt = async {
            let conn = match pooled {
                Some(c) => c,
                None => self.connect(server).await?,
            };
            op(conn).await
        };
        let result = match tokio::time::timeout(self.options.timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "timed out")),
        };
        match result {
            Ok((conn, value)) => {
                if let Ok(mut idle) = server.idle.lock() {
                    if idle.len() < self.options.max_connections {
                        idle.push((Instant::now(), conn));
                    }
                }
                Ok(value)
            }
            Err(e) => {
                if let Ok(mut dead) = server.dead_until.lock() {
                    *dead = Some(Instant::now() + self.options.dead_retry);
                }
                if let Ok(mut idle) = server.idle.lock() {
                    idle.clear();
                }
                Err(io::Error::new(e.kind(), format!("memcached {}: {e}", server.addr)))
            }
        }
    }

    /// A new connection, with TLS when it is on.
    async fn connect(&self, server: &Server) -> io::Result<Conn> {
        let tcp = TcpStream::connect(&server.addr).await?;
        let io: Box<dyn Io> = match &self.options.tls {
            None => Box::new(tcp),
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(server.host.clone())
                    .map_err(|e| invalid(format!("{:?} is not a name a certificate can have: {e}", server.host)))?;
                Box::new(tls.connect(name, tcp).await?)
            }
        };
        Ok(BufStream::new(io))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(socket_addr("127.0.0.1:11211").as_deref(), Ok("127.0.0.1:11211"));
        assert_eq!(socket_addr("cache.example").as_deref(), Ok("cache.example:11211"));
        assert_eq!(socket_addr("inet6:[::1]:11311").as_deref(), Ok("[::1]:11311"));
        assert_eq!(socket_addr("[::1]").as_deref(), Ok("[::1]:11211"));
        assert_eq!(socket_addr("::1").as_deref(), Ok("[::1]:11211"));
        assert!(socket_addr("host:99999").is_err());
        assert!(socket_addr("unix:/run/memcached.sock").is_err());
        assert!(socket_addr("").is_err());
    }

    /// With every connection busy (a server that accepts and never
    /// answers), another operation gives up after `conn_get_timeout`, not
    /// `timeout`, and does not mark the server dead.
    #[tokio::test]
    async fn waiting_for_a_connection_is_bounded_by_conn_get_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let held = tokio::spawn(async move {
            let mut conns = Vec::new();
            while let Ok((c, _)) = listener.accept().await {
                conns.push(c);
            }
        });
        let options = MemcacheOptions {
            timeout: Duration::from_secs(3),
            dead_retry: Duration::from_secs(300),
            max_connections: 1,
            unused_timeout: Duration::from_secs(60),
            conn_get_timeout: Duration::from_millis(200),
            tls: None,
        };
        let m = std::sync::Arc::new(Memcache::new(std::slice::from_ref(&addr), options).expect("client"));
        let first = {
            let m = m.clone();
            tokio::spawn(async move { m.get("k").await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let e = m.get("k").await.expect_err("no connection free");
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("all 1 connections busy"), "{e}");
        assert!(m.servers[0].dead_until.lock().map(|d| d.is_none()).unwrap_or(false), "not marked dead");
        first.abort();
        held.abort();
    }

    /// The check value of CRC-32/IEEE, as Python's `binascii.crc32`.
    #[test]
    fn crc_as_python() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
