//! Reading one config file (INI or TOML, by extension) into entries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::read::TextError;
use super::{Entry, Location, Origin, ini};
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::RawValue;

/// The dialect of a config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// oslo.config's INI dialect.
    Ini,
    /// TOML.
    Toml,
}

impl Format {
    /// `.toml` files are TOML; everything else is INI, as oslo.config reads
    /// any file it is given.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Format::Toml,
            _ => Format::Ini,
        }
    }
}

/// What one file says: its groups (including empty ones) and assignments.
#[derive(Clone, Debug)]
pub struct FileSource {
    /// The file.
    pub path: Arc<Path>,
    /// Every group header, in order, with its position.
    pub groups: Vec<(String, Origin)>,
    /// Every assignment, in order.
    pub entries: Vec<Entry>,
}

impl FileSource {
    pub(super) fn new(path: Arc<Path>) -> FileSource {
        FileSource { path, groups: Vec::new(), entries: Vec::new() }
    }
}

/// Maps byte offsets to 1-based line and character column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    pub(crate) fn location(&self, path: &Arc<Path>, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let prefix = self.text.get(start..offset).unwrap_or("");
        let column = prefix.trim_start_matches('\u{feff}').chars().count() + 1;
        Location { path: path.clone(), line: line as u32, column: column as u32 }
    }
}

/// A whole-file position (line 0): for errors that concern no line.
pub(crate) fn whole_file(path: &Arc<Path>) -> Origin {
    Origin::File(Location { path: path.clone(), line: 0, column: 0 })
}

/// Reads and parses `path`. Every problem comes back at once, each with
/// the file and, where there is one, the line and column.
pub fn read(path: &Path) -> Result<FileSource, Vec<Diagnostic>> {
    let shared: Arc<Path> = Arc::from(path);
    let text = text_at(&shared)?;
    match Format::of(path) {
        Format::Toml => super::toml::parse(&shared, &text),
        Format::Ini => from_ini(&shared, &text),
    }
}

/// The text of the file at `path` (see [`super::read::read_bytes`] for
/// what is refused), or the diagnostic: an I/O problem for the whole file,
/// or the line and column of the first byte that is not UTF-8.
pub fn load_text(path: &Path) -> Result<String, Vec<Diagnostic>> {
    text_at(&Arc::from(path))
}

fn text_at(path: &Arc<Path>) -> Result<String, Vec<Diagnostic>> {
    super::read::read_text(path).map_err(|e| {
        vec![match e {
            TextError::Read(e) => Diagnostic::error(Code::Io, e.message).at(whole_file(path)),
            TextError::Utf8 { valid } => {
                let loc = LineIndex::new(&valid).location(path, valid.len());
                Diagnostic::error(Code::Io, "invalid UTF-8: the file must be UTF-8 text").at(Origin::File(loc))
            }
        }]
    })
}

/// Parses `text` in oslo.config's INI dialect as if it were the file at
/// `name`: every origin is `name:line:column`. For INI text that is not a
/// local file (a `remote_file` body, named by its URL).
pub fn parse_ini(name: &Path, text: &str) -> Result<FileSource, Vec<Diagnostic>> {
    from_ini(&Arc::from(name), text)
}

/// The load path: groups and entries straight from the text
/// ([`ini::Scanner`]), no lossless document. All errors or all entries.
fn from_ini(path: &Arc<Path>, text: &str) -> Result<FileSource, Vec<Diagnostic>> {
    let mut source = FileSource::new(path.clone());
    let mut errors = Vec::new();
    let at = |line, column| Origin::File(Location { path: path.clone(), line, column });
    for item in ini::Scanner::new(text) {
        match item {
            ini::Item::Group { name, line } => source.groups.push((name.to_owned(), at(line, 2))),
            ini::Item::Entry(e) => source.entries.push(Entry {
                group: e.group.to_owned(),
                key: e.key.to_owned(),
                origin: at(e.line, e.value_col),
                key_origin: at(e.line, e.key_col),
                value: RawValue::Str(e.value.into_owned()),
            }),
            ini::Item::Error(e) => errors.push(Diagnostic::error(Code::IniSyntax, e.message).at(at(e.line, e.column))),
        }
    }
    if errors.is_empty() { Ok(source) } else { Err(errors) }
}

/// The files of a config dir that are read: `*.conf` and `*.toml`, sorted
/// by name (bytewise), as oslo.config sorts `*.conf`.
pub fn dir_files(dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let shared: Arc<Path> = Arc::from(dir);
    let fail = |what: String| vec![Diagnostic::error(Code::Io, what).at(whole_file(&shared))];
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail("config dir not found".into()),
        _ => fail(format!("cannot read config dir: {e}")),
    })?;
    if !meta.is_dir() {
        return Err(fail("is not a directory, expected a config dir".into()));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot list config dir: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            // Hidden files are skipped as a shell glob skips them: editors'
            // lock files and Kubernetes' `..data` links live there.
            let hidden = p.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.'));
            !hidden && matches!(p.extension().and_then(|e| e.to_str()), Some("conf" | "toml"))
        })
        .collect();
    files.sort();
    Ok(files)
}
