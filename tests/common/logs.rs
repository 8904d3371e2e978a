//! Capturing what stackauth logs. A test that reads its logs must be alone
//! in its test binary: the subscriber is process-wide (a thread-local one
//! raced other tests' threads over tracing's callsite cache).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

/// Everything logged, as written.
#[derive(Clone, Default)]
pub struct Buf(Arc<Mutex<Vec<u8>>>);

impl Buf {
    /// The log so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

impl std::io::Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the process's subscriber, at `level`, writing into the
/// returned buffer. Once per process: a second call panics.
pub fn capture(level: tracing::Level) -> Buf {
    let buf = Buf::default();
    let sink = buf.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).with_max_level(level).finish(),
    )
    .expect("the only subscriber");
    buf
}
