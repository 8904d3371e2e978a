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
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// The largest value accepted from a server (memcached's own default item
/// limit is 1 MiB).
const MAX_VALUE: usize = 8 << 20;

/// How the client behaves.
#[derive(Clone, Debug)]
pub(crate) struct MemcacheOptions {
    /// Connect, read and write timeout (`memcache_pool_socket_timeout`).
    pub timeout: Duration,
    /// How long a failed server is skipped (`memcache_pool_dead_retry`).
    pub dead_retry: Duration,
    /// Idle connections kept per server (`memcache_pool_maxsize`).
    pub max_idle: usize,
}

struct Server {
    addr: String,
    idle: Mutex<Vec<BufStream<TcpStream>>>,
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
        let servers = servers
            .iter()
            .map(|s| Ok(Server { addr: socket_addr(s)?, idle: Mutex::new(Vec::new()), dead_until: Mutex::new(None) }))
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
    /// `dead_retry`.
    async fn with_conn<T, F, Fut>(&self, server: &Server, op: F) -> io::Result<T>
    where
        F: FnOnce(BufStream<TcpStream>) -> Fut,
        Fut: std::future::Future<Output = io::Result<(BufStream<TcpStream>, T)>>,
    {
        if let Ok(dead) = server.dead_until.lock() {
            if dead.is_some_and(|until| Instant::now() < until) {
                return Err(io::Error::new(io::ErrorKind::NotConnected, format!("{} is marked dead", server.addr)));
            }
        }
        let pooled = server.idle.lock().ok().and_then(|mut idle| idle.pop());
        let attempt = async {
            let conn = match pooled {
                Some(c) => c,
                None => BufStream::new(TcpStream::connect(&server.addr).await?),
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
                    if idle.len() < self.options.max_idle {
                        idle.push(conn);
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

    /// The check value of CRC-32/IEEE, as Python's `binascii.crc32`.
    #[test]
    fn crc_as_python() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
