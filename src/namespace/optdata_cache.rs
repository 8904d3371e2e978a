//! A cache of parsed YAML opt-data, so that `stackauth validate --opt-data
//! x.yaml` does not scan the same YAML on every run (scanning was most of
//! the command's time; JSON opt-data is parsed fast enough not to need it).
//!
//! What is kept is the parsed document (every value with its line and
//! column), not the registry: the import runs on it as on a fresh parse,
//! so its result and its warnings cannot differ from an uncached import.
//!
//! Safety, in the order the checks run:
//! - An entry's file name is a hash of the YAML bytes and this format's
//!   version; an entry holds the stackauth version and *the whole YAML
//!   text*, compared byte for byte with the file being imported, so a hash
//!   collision, another stackauth version or a changed file is a miss,
//!   never a wrong registry.
//! - The parsed document carries a checksum and every read is bounds
//!   checked (lengths, nesting depth, UTF-8): a truncated or corrupt entry
//!   is a miss and is written again.
//! - On Unix an entry is used only if it is a regular file (not a link)
//!   owned by the current user and writable by no one else, in a directory
//!   likewise; the directory is created with mode 0700, entries 0600.
//! - Entries are written to a temporary file in the same directory and
//!   renamed into place, so a reader sees a whole entry or none.
//! - Any failure of the cache (no home directory, a read-only disk) only
//!   means the YAML is parsed as if there were no cache.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::optdata::{self, OptData, OptDataFormat};
use crate::diagnostic::Diagnostic;
use crate::source::yaml::{Node, NodeValue};

/// The start of every entry.
const MAGIC: &[u8] = b"stackauth opt-data cache\n";

/// The layout's version; a change of layout changes it (and so every
/// entry's name).
const FORMAT: u32 = 1;

/// Deeper documents are not cached (opt-data is 6 levels deep); this
/// bounds the decoder's recursion on a corrupt entry.
const MAX_DEPTH: usize = 64;

/// What the cache did for one import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheUse {
    /// The parsed document came from the cache.
    Hit,
    /// The YAML was parsed and the cache entry written (there was none, or
    /// it did not match or was damaged).
    Written,
    /// The YAML (or JSON) was parsed without the cache: JSON, a file that
    /// cannot be read or parsed, or a cache that cannot be written.
    Unused,
}

/// The cache directory the `stackauth` command uses:
/// `$XDG_CACHE_HOME/stackauth/optdata`, else `$HOME/.cache/stackauth/optdata`
/// (relative values are ignored, as the XDG specification says).
pub fn default_cache_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".cache")))?;
    Some(base.join("stackauth").join("optdata"))
}

/// [`optdata::read_data`], with the parsed YAML kept in `cache_dir` (see
/// the module's documentation); says whether the cache was used.
///
/// The result is the same as `read_data`'s in every case: the cache only
/// saves the YAML scan.
pub fn read_data_cached(path: &Path, cache_dir: &Path) -> (Result<OptData, Vec<Diagnostic>>, CacheUse) {
    let text = match crate::source::load_text(path) {
        Ok(t) => t,
        Err(e) => return (Err(e), CacheUse::Unused),
    };
    if OptDataFormat::detect(&text) == OptDataFormat::Json {
        return (optdata::parse_data(&text, path), CacheUse::Unused);
    }
    let entry = cache_dir.join(entry_name(text.as_bytes()));
    if let Some(root) = load(&entry, text.as_bytes()) {
        return (optdata::import(&root, path), CacheUse::Hit);
    }
    let root = match optdata::parse_root(&text, path) {
        Ok(r) => r,
        Err(e) => return (Err(e), CacheUse::Unused),
    };
    let used = match store(cache_dir, &entry, text.as_bytes(), &root) {
        Ok(()) => CacheUse::Written,
        Err(why) => {
            tracing::debug!("opt-data cache not written to {}: {why}", cache_dir.display());
            CacheUse::Unused
        }
    };
    (optdata::import(&root, path), used)
}

/// A 64-bit hash of `bytes`, eight at a time (FxHash's step, then a
/// final mix). Not a defence against anyone: an entry is compared byte for
/// byte with the YAML, and the file's owner and mode are checked; this
/// names entries and catches damage (any change within one 8-byte word,
/// a flipped bit for one, always changes it). SipHash took a tenth of a
/// cached run.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    let mut h =
        (&mut chunks).fold(bytes.len() as u64, |h, c| step(h, u64::from_le_bytes(c.try_into().expect("8 bytes"))));
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = step(h, u64::from_le_bytes(last));
    // MurmurHash3's fmix64, so that names spread over all 64 bits.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The file name of the entry for these YAML bytes.
pub fn entry_name(yaml: &[u8]) -> String {
    format!("{:016x}.v{FORMAT}", hash(yaml))
}

/// The parsed document of an entry, if it is there, safe to trust, whole,
/// and made by this stackauth from exactly these YAML bytes.
fn load(entry: &Path, yaml: &[u8]) -> Option<Node> {
    let bytes = read_entry(entry)?;
    let mut r = Reader { bytes: &bytes, pos: 0 };
    (r.take(MAGIC.len())? == MAGIC).then_some(())?;
    (r.u32()? == FORMAT).then_some(())?;
    let version_len = r.u32()? as usize;
    (r.take(version_len)? == env!("CARGO_PKG_VERSION").as_bytes()).then_some(())?;
    let yaml_len = r.u64()?;
    (r.take(usize::try_from(yaml_len).ok()?)? == yaml).then_some(())?;
    let checksum = r.u64()?;
    let tree = &bytes[r.pos..];
    (hash(tree) == checksum).then_some(())?;
    let mut t = Reader { bytes: tree, pos: 0 };
    let root = t.node(0)?;
    (t.pos == tree.len()).then_some(root)
}

/// The entry's bytes, if it is a regular file that only this user could
/// have written (on Unix), of a sane size.
fn read_entry(entry: &Path) -> Option<Vec<u8>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(entry).ok()?;
    let meta = file.metadata().ok()?;
    let limit = 4 * crate::source::read::MAX_FILE_SIZE;
    if !meta.is_file() || meta.len() > limit || !trusted(&meta) || !trusted(&fs::metadata(entry.parent()?).ok()?) {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    Read::take(&mut file, limit).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Owned by the current user and writable by no one else.
#[cfg(unix)]
fn trusted(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    meta.uid() == me && meta.mode() & 0o022 == 0
}

#[cfg(not(unix))]
fn trusted(_: &fs::Metadata) -> bool {
    true
}

/// Writes the entry: a temporary file beside it, renamed into place.
fn store(dir: &Path, entry: &Path, yaml: &[u8], root: &Node) -> Result<(), String> {
    let mut tree = Vec::new();
    encode(root, 0, &mut tree).ok_or("the document is nested too deeply to cache")?;
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = Vec::with_capacity(MAGIC.len() + 24 + version.len() + yaml.len() + tree.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(version.len() as u32).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(&(yaml.len() as u64).to_le_bytes());
    out.extend_from_slice(yaml);
    out.extend_from_slice(&hash(&tree).to_le_bytes());
    out.extend_from_slice(&tree);

    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| format!("cannot create the directory: {e}"))?;
    if !trusted(&fs::metadata(dir).map_err(|e| e.to_string())?) {
        return Err("the directory is not the current user's alone".into());
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let temp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temp).and_then(|mut f: File| f.write_all(&out)).and_then(|()| fs::rename(&temp, entry));
    written.map_err(|e| {
        let _ = fs::remove_file(&temp);
        e.to_string()
    })
}

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const SEQ: u8 = 6;
const MAP: u8 = 7;

fn put_str(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A node: kind, line, column, then the value. `None` when too deep.
fn encode(node: &Node, depth: usize, out: &mut Vec<u8>) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    let kind = match &node.value {
        NodeValue::Null => NULL,
        NodeValue::Bool(false) => FALSE,
        NodeValue::Bool(true) => TRUE,
        NodeValue::Int(_) => INT,
        NodeValue::Float(_) => FLOAT,
        NodeValue::Str(_) => STR,
        NodeValue::Seq(_) => SEQ,
        NodeValue::Map(_) => MAP,
    };
    out.push(kind);
    out.extend_from_slice(&node.line.to_le_bytes());
    out.extend_from_slice(&node.column.to_le_bytes());
    match &node.value {
        NodeValue::Null | NodeValue::Bool(_) => {}
        NodeValue::Int(i) => out.extend_from_slice(&i.to_le_bytes()),
        NodeValue::Float(f) => out.extend_from_slice(&f.to_bits().to_le_bytes()),
        NodeValue::Str(s) => put_str(s, out),
        NodeValue::Seq(items) => {
            out.extend_from_slice(&(items.len() as u32).to_le_bytes());
            for item in items {
                encode(item, depth + 1, out)?;
            }
        }
        NodeValue::Map(entries) => {
            out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
            for (k, v) in entries {
                put_str(k, out);
                encode(v, depth + 1, out)?;
            }
        }
    }
    Some(())
}

/// Bounds-checked reads from an entry; `None` on anything out of place.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok().map(str::to_owned)
    }

    /// A count of items, each at least `min` bytes: a corrupt count cannot
    /// make a large allocation.
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(min)? <= self.bytes.len() - self.pos).then_some(n)
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = self.take(1)?[0];
        let (line, column) = (self.u32()?, self.u32()?);
        let value = match kind {
            NULL => NodeValue::Null,
            FALSE => NodeValue::Bool(false),
            TRUE => NodeValue::Bool(true),
            INT => NodeValue::Int(i128::from_le_bytes(self.array()?)),
            FLOAT => NodeValue::Float(f64::from_bits(self.u64()?)),
            STR => NodeValue::Str(self.string()?),
            SEQ => {
                let n = self.count(9)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.node(depth + 1)?);
                }
                NodeValue::Seq(items)
            }
            MAP => {
                let n = self.count(13)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.string()?;
                    entries.push((k, self.node(depth + 1)?));
                }
                NodeValue::Map(entries)
            }
            _ => return None,
        };
        Some(Node { value, line, column })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml;

    const DOC: &str = "a: [1, -2.5, .nan, yes, ~, 'x', 170141183460469231731687303715884105727]\nb: {c: [], d: {}}\n";

    fn tree(node: &Node) -> Vec<u8> {
        let mut out = Vec::new();
        encode(node, 0, &mut out).expect("shallow");
        out
    }

    #[test]
    fn documents_round_trip_with_positions() {
        let root = yaml::parse(DOC).expect("valid");
        let bytes = tree(&root);
        let back = Reader { bytes: &bytes, pos: 0 }.node(0).expect("decodes");
        // NaN is not equal to itself: compare the encodings.
        assert_eq!(tree(&back), bytes);
        assert_eq!(format!("{back:?}"), format!("{root:?}"));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let dir = std::env::temp_dir().join(format!("stackauth-cache-unit-{}", std::process::id()));
        let entry = dir.join(entry_name(DOC.as_bytes()));
        let root = yaml::parse(DOC).expect("valid");
        store(&dir, &entry, DOC.as_bytes(), &root).expect("written");
        let whole = fs::read(&entry).expect("entry");
        assert!(load(&entry, DOC.as_bytes()).is_some());
        for len in 0..whole.len() {
            fs::write(&entry, &whole[..len]).expect("write");
            assert!(load(&entry, DOC.as_bytes()).is_none(), "truncated to {len}");
        }
        for i in 0..whole.len() {
            let mut bad = whole.clone();
            bad[i] ^= 0x20;
            fs::write(&entry, &bad).expect("write");
            assert!(load(&entry, DOC.as_bytes()).is_none(), "byte {i} flipped");
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn deep_documents_are_not_cached() {
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        let root = yaml::parse(&deep).expect("valid");
        assert!(encode(&root, 0, &mut Vec::new()).is_none());
    }
}
