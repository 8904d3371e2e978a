//! Reading a file that a person pointed us at, without hanging and without
//! running out of memory, whatever is at that path.
//!
//! A config path may name something other than a regular file: a
//! directory, a dangling symbolic link or a loop of them, a socket, a named
//! pipe (FIFO) that nothing writes to, a device such as `/dev/zero`. A
//! plain `std::fs::read` blocks forever on the pipe and fills memory from
//! the device. Here every file is opened without blocking, its type is
//! checked on the open handle, at most [`MAX_FILE_SIZE`] bytes are read,
//! and a pipe or device that stops giving data is given up on after
//! [`PIPE_WAIT`]. A pipe that a program does write to (`--config-file
//! <(command)`) is read as before.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

/// The largest file read: 16 MiB, far beyond any real config file (the
/// full sample of every Keystone option is about 200 KB), and small
/// enough that a runaway file cannot take the daemon's memory.
pub const MAX_FILE_SIZE: u64 = 16 << 20;

/// How long a named pipe or a device may go without giving data before
/// the read is given up.
pub const PIPE_WAIT: Duration = Duration::from_secs(30);

/// Why a file could not be read: a short phrase for a diagnostic that
/// names the file (`file not found`, `is a directory, expected a file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// What went wrong.
    pub message: String,
    /// The I/O error kind, when there was one.
    pub kind: Option<std::io::ErrorKind>,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    fn new(message: impl Into<String>) -> ReadError {
        ReadError { message: message.into(), kind: None }
    }

    fn io(path: &Path, e: &std::io::Error) -> ReadError {
        use std::io::ErrorKind;
        let message = match e.kind() {
            ErrorKind::NotFound => match std::fs::read_link(path) {
                Ok(target) => format!("dangling symbolic link: its target {} does not exist", target.display()),
                Err(_) => "file not found".to_owned(),
            },
            ErrorKind::PermissionDenied => "permission denied".to_owned(),
            ErrorKind::IsADirectory => "is a directory, expected a file".to_owned(),
            _ => match kind_of(path) {
                Some(kind) => format!("is {kind}, expected a file"),
                None if is_loop(e) => "cannot read: a loop of symbolic links".to_owned(),
                None => format!("cannot read: {e}"),
            },
        };
        ReadError { message, kind: Some(e.kind()) }
    }
}

#[cfg(unix)]
fn is_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_: &std::io::Error) -> bool {
    false
}

/// What a path is when it is not a regular file or a directory, for the
/// message: "a socket", "a named pipe (FIFO)", "a device".
fn kind_of(path: &Path) -> Option<&'static str> {
    let ft = std::fs::metadata(path).ok()?.file_type();
    special_kind(&ft)
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_socket() {
        Some("a socket")
    } else if ft.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("a device")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> Option<&'static str> {
    None
}

fn too_large() -> ReadError {
    ReadError::new(format!("larger than {} MiB: not read (a config file is far smaller)", MAX_FILE_SIZE >> 20))
}

/// Reads the file at `path`: at most [`MAX_FILE_SIZE`] bytes, never
/// blocking for good on a pipe or device.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    // Opening a FIFO blocks until a writer comes; without blocking it
    // opens at once (and reads end-of-file if no one writes). For regular
    // files the flag changes nothing.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK);
    let file = opts.open(path).map_err(|e| ReadError::io(path, &e))?;
    let meta = file.metadata().map_err(|e| ReadError::io(path, &e))?;
    if meta.is_dir() {
        return Err(ReadError::new("is a directory, expected a file"));
    }
    if meta.is_file() && meta.len() > MAX_FILE_SIZE {
        return Err(too_large());
    }
    let special = special_kind(&meta.file_type());
    // A regular file's size is known: one allocation, no regrowth and copy
    // as the text comes in (one more byte to see the end).
    let mut bytes = Vec::with_capacity(if meta.is_file() { meta.len() as usize + 1 } else { 0 });
    let mut limited = file.take(MAX_FILE_SIZE + 1);
    let mut last_data = Instant::now();
    loop {
        let before = bytes.len();
        match limited.read_to_end(&mut bytes) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if bytes.len() > before {
                    last_data = Instant::now();
                } else if last_data.elapsed() > PIPE_WAIT {
                    return Err(ReadError::new(format!(
                        "is {}, and nothing came from it for {} s",
                        special.unwrap_or("a special file"),
                        PIPE_WAIT.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(ReadError::io(path, &e)),
        }
    }
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large());
    }
    if bytes.is_empty() && special == Some("a named pipe (FIFO)") {
        return Err(ReadError::new(
            "is a named pipe (FIFO) that gave nothing to read (no program writes to it, or it was read already), expected a file",
        ));
    }
    Ok(bytes)
}

/// [`read_bytes`], as UTF-8 text; invalid UTF-8 is an error naming the
/// byte offset where it starts (the caller turns it into a line).
pub fn read_text(path: &Path) -> Result<String, TextError> {
    let bytes = read_bytes(path).map_err(TextError::Read)?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        bytes.truncate(offset);
        TextError::Utf8 { valid: String::from_utf8(bytes).unwrap_or_default() }
    })
}

/// Why a text file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// It could not be read at all.
    Read(ReadError),
    /// It is not UTF-8; `valid` is the text before the first bad byte.
    Utf8 {
        /// The file's text up to the first byte that is not UTF-8.
        valid: String,
    },
}
