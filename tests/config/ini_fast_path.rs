//! The load path's INI reader (`ini::Scanner`, borrowed spans, no lossless
//! document) and the lossless parser (`ini::parse`, used by `migrate`)
//! must agree on every input: the same groups, entries, values, positions
//! and errors. Checked on every file in the repository's test data,
//! examples, bench data and fuzz seeds, and on generated files built from
//! the dialect's corners; and `source::read` (the loader's file reader)
//! must give the same as the lossless parser on each of them.

use std::path::{Path, PathBuf};

use stackauth::opt::RawValue;
use stackauth::source::Origin;
use stackauth::source::ini::{self, Item};

use crate::common::Dir;

type Groups = Vec<(String, u32)>;
type Entries = Vec<(String, String, String, u32, u32, u32)>;
type Errors = Vec<(u32, u32, String)>;

/// What the lossless parser says about `text`.
fn lossless(text: &str) -> (Groups, Entries, Errors) {
    let (doc, errors) = ini::parse(text);
    let groups = doc
        .lines()
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l.kind() {
            ini::LineKind::Section { name } => Some((name.clone(), i as u32 + 1)),
            _ => None,
        })
        .collect();
    let entries = doc
        .entries()
        .map(|e| (e.group.to_owned(), e.key.to_owned(), e.value, e.line, e.key_col, e.value_col))
        .collect();
    (groups, entries, errors.into_iter().map(|e| (e.line, e.column, e.message)).collect())
}

/// What the scanner says about `text`; its items come in line order.
fn scanned(text: &str) -> (Groups, Entries, Errors) {
    let (mut groups, mut entries, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = 0;
    for item in ini::Scanner::new(text) {
        let line = match item {
            Item::Group { name, line } => {
                groups.push((name.to_owned(), line));
                line
            }
            Item::Entry(e) => {
                entries.push((
                    e.group.to_owned(),
                    e.key.to_owned(),
                    e.value.into_owned(),
                    e.line,
                    e.key_col,
                    e.value_col,
                ));
                e.line
            }
            Item::Error(e) => {
                errors.push((e.line, e.column, e.message));
                e.line
            }
        };
        assert!(line > last, "items out of line order in {text:?}");
        last = line;
    }
    (groups, entries, errors)
}

/// What the loader's file reader says about the file at `path`, in the
/// same shape (no groups or entries when there are errors).
fn read(path: &Path) -> (Groups, Entries, Errors) {
    let pos = |o: &Origin| o.location().map(|l| (l.line, l.column)).expect("a file position");
    match stackauth::source::read(path) {
        Ok(src) => (
            src.groups.iter().map(|(g, o)| (g.clone(), pos(o).0)).collect(),
            src.entries
                .iter()
                .map(|e| {
                    let RawValue::Str(v) = &e.value else { panic!("an INI value is a string") };
                    let ((line, value_col), (key_line, key_col)) = (pos(&e.origin), pos(&e.key_origin));
                    assert_eq!(line, key_line);
                    (e.group.clone(), e.key.clone(), v.clone(), line, key_col, value_col)
                })
                .collect(),
            Vec::new(),
        ),
        Err(diags) => (
            Vec::new(),
            Vec::new(),
            diags
                .into_iter()
                .map(|d| {
                    let (line, col) = d.origin.as_ref().map(pos).expect("a syntax error has a position");
                    (line, col, d.message)
                })
                .collect(),
        ),
    }
}

/// Both readers of `text`, and the file reader on `path` (holding `text`).
fn agree(text: &str, path: &Path) {
    let (groups, entries, errors) = lossless(text);
    assert_eq!(scanned(text), (groups.clone(), entries.clone(), errors.clone()), "scanner vs lossless: {path:?}");
    let expected = if errors.is_empty() { (groups, entries, errors) } else { (Vec::new(), Vec::new(), errors) };
    assert_eq!(read(path), expected, "source::read vs lossless: {path:?}");
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a data dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn scanner_agrees_with_the_lossless_parser_on_every_data_file() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/data", "examples", "bench/data", "fuzz/seeds"] {
        files_under(&root.join(dir), &mut files);
    }
    files.sort();
    let mut checked = 0;
    let mut with_entries = 0;
    for path in &files {
        // Every file, whatever its extension, is read as INI here: YAML,
        // JSON and TOML make good syntax errors. Not UTF-8: not a text.
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
            // source::read reads these as TOML; compare the two INI readers.
            assert_eq!(scanned(&text), lossless(&text), "scanner vs lossless: {path:?}");
        } else {
            agree(&text, path);
        }
        checked += 1;
        with_entries += usize::from(!lossless(&text).1.is_empty());
    }
    assert!(checked > 150 && with_entries > 100, "{checked} files checked, {with_entries} with entries");
}

/// Lines made of the dialect's corners: separators, quotes, comments,
/// continuations, headers good and bad, white space that is not a space,
/// non-ASCII text before a column.
const PIECES: &[&str] = &[
    "[DEFAULT]",
    "[g]",
    "[ spaced name ]",
    "[",
    "[]",
    "[x",
    "key = value",
    "k: v",
    "k=v:w",
    "k:v=w",
    "url = http://h:5000",
    " = x",
    "=",
    "x",
    "  cont",
    "\tcont # not a comment",
    "   # indented hash",
    "# comment",
    "; comment",
    "#k = v",
    "",
    "   ",
    "\t",
    "k = \"quoted\"",
    "k = 'single'",
    "k = \"\"",
    "k = \"",
    "k = \"a'",
    "k = ",
    "k =   spaced   ",
    "é = ü",
    "ключ = значение # ;",
    "k\u{a0}= v\u{a0}",
    "\u{c}k = form feed",
    "\u{b}",
    "k = \u{2028}x",
    "pass = $other",
];
const ENDS: &[&str] = &["\n", "\n", "\n", "\r\n", "\r", ""];

/// xorshift64*: a fixed sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

#[test]
fn scanner_agrees_with_the_lossless_parser_on_generated_files() {
    let dir = Dir::new();
    let mut rng = Rng(0x5eed_1e55_c0ff_ee00);
    for case in 0..4000 {
        let mut text = String::new();
        if rng.below(10) == 0 {
            text.push('\u{feff}');
        }
        if rng.below(4) != 0 {
            text.push_str("[DEFAULT]\n");
        }
        for _ in 0..rng.below(14) {
            text.push_str(PIECES[rng.below(PIECES.len())]);
            text.push_str(ENDS[rng.below(ENDS.len())]);
        }
        // Every case through the scanner; one in ten through the file
        // reader too (a file each).
        if case % 10 == 0 {
            agree(&text, &dir.write(&format!("c{case}.conf"), &text));
        } else {
            assert_eq!(scanned(&text), lossless(&text), "scanner vs lossless: {text:?}");
        }
    }
}
