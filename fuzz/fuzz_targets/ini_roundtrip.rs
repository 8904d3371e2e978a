//! The INI parser: never a panic, lossless (printing the parsed document
//! gives back the input byte for byte), positions inside the text, the
//! load path's scanner agreeing with it, and the file reader's
//! invalid-UTF-8 path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackauth::source::ini::{self, IniDocument};

fuzz_target!(|data: &[u8]| {
    // The reader: UTF-8 check with its position, then the parser.
    let path = stackauth_fuzz::scratch("conf");
    std::fs::write(&path, data).expect("scratch write");
    let read = stackauth::source::read(&path);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(read.is_err(), "invalid UTF-8 accepted");
        return;
    };
    let (doc, errors) = ini::parse(text);
    assert_eq!(doc.to_string(), text, "round trip");
    assert_eq!(read.is_ok(), errors.is_empty(), "reader and parser disagree");
    let lines = doc.lines().len() as u32;
    for e in &errors {
        assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "position {}:{} of {lines} lines", e.line, e.column);
    }
    // The load path (ini::Scanner) sees the same entries and errors.
    let mut scanned = Vec::new();
    let mut scanned_errors = Vec::new();
    for item in ini::Scanner::new(text) {
        match item {
            ini::Item::Entry(e) => scanned.push((e.group, e.key, e.value.into_owned(), e.line, e.key_col, e.value_col)),
            ini::Item::Error(e) => scanned_errors.push(e),
            ini::Item::Group { .. } => {}
        }
    }
    let parsed: Vec<_> = doc.entries().map(|e| (e.group, e.key, e.value, e.line, e.key_col, e.value_col)).collect();
    assert!(scanned == parsed, "scanner and lossless parser disagree on entries");
    assert_eq!(scanned_errors, errors, "scanner and lossless parser disagree on errors");
    let mut count = 0;
    for entry in doc.entries() {
        count += 1;
        assert!(entry.line >= 1 && entry.line <= lines && entry.key_col >= 1 && entry.value_col >= 1);
        assert!(!entry.key.is_empty());
        let _ = format!("{entry:?}");
    }
    if errors.is_empty() {
        let again = IniDocument::parse(&doc.to_string()).expect("a printed document parses");
        assert_eq!(again, doc);
        assert_eq!(read.map(|s| s.entries.len()).ok(), Some(count));
    }
});
