//! oslo.config's INI dialect, line by line, exactly as
//! `oslo_config.iniparser` reads it.
//!
//! - A line is blank if only white space; a blank line ends a value.
//! - A line starting with a space or tab continues the previous value (its
//!   text after the indentation, joined with `\n`); with no value open it
//!   is an error. An indented `#` line is a continuation, not a comment.
//! - `#` and `;` start a comment only in the first column.
//! - `[name]` starts a group; the name is kept as written.
//! - `key = value` or `key: value`: the first of `=` and `:` separates; key
//!   and value are trimmed and one pair of matching quotes around the first
//!   line's value is stripped.
//!
//! Beyond oslo.config: a UTF-8 byte order mark is accepted, and parsing goes
//! on after an error so that every error in a file is reported at once.

use super::document::{IniDocument, IniLine, LineKind};

/// A syntax error: 1-based line and column, and what was expected. It never
/// quotes the line, which may hold a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniSyntaxError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Splits text into lines the way Python's text mode does: `\n`, `\r\n` and
/// a lone `\r` all end a line. Each line keeps its terminator separately.
pub(crate) fn split_lines(text: &str) -> Vec<(&str, &'static str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((&text[start..i], "\n"));
                i += 1;
                start = i;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push((&text[start..i], "\r\n"));
                i += 2;
                start = i;
            }
            b'\r' => {
                out.push((&text[start..i], "\r"));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < text.len() {
        out.push((&text[start..], ""));
    }
    out
}

/// 1-based character column of byte offset `byte` in `line`.
fn column(line: &str, byte: usize) -> u32 {
    (line[..byte].chars().count() + 1) as u32
}

/// Strips one pair of matching quotes, as oslo.config does: a value that
/// starts with `"` or `'` and ends with the same character (a lone quote
/// becomes empty). Returns the value and whether quotes were stripped.
fn strip_quotes(value: &str) -> (&str, bool) {
    let mut chars = value.chars();
    match (chars.next(), value.chars().last()) {
        (Some(q @ ('"' | '\'')), Some(last)) if last == q => {
            if value.len() == 1 {
                ("", true)
            } else {
                (&value[1..value.len() - 1], true)
            }
        }
        _ => (value, false),
    }
}

#[derive(PartialEq)]
enum State {
    /// No value open: a continuation line is an error.
    Idle,
    /// A value is open.
    InValue,
    /// The previous line was an error: swallow its continuations quietly.
    AfterError,
}

/// Parses `text` into a lossless document and the list of syntax errors
/// (empty when the file is valid). Lines with errors are kept as
/// [`LineKind::Invalid`], so printing the document still gives `text`.
pub fn parse(text: &str) -> (IniDocument, Vec<IniSyntaxError>) {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut state = State::Idle;
    let mut in_section = false;
    for (idx, (raw, eol)) in split_lines(body).into_iter().enumerate() {
        let lineno = (idx + 1) as u32;
        let trimmed = raw.trim_end();
        let mut error = |col: u32, msg: &str| {
            errors.push(IniSyntaxError { line: lineno, column: col, message: msg.to_owned() });
            LineKind::Invalid
        };
        let kind = if trimmed.is_empty() {
            state = State::Idle;
            LineKind::Blank
        } else if trimmed.starts_with([' ', '\t']) {
            let content = trimmed.trim_start();
            let start = trimmed.len() - content.len();
            match state {
                State::InValue => LineKind::Continuation { value: content.to_owned(), value_col: column(raw, start) },
                State::AfterError => LineKind::Invalid,
                State::Idle => {
                    state = State::AfterError;
                    error(
                        column(raw, start),
                        "unexpected continuation line: an indented line continues the value above it, \
                         and there is none (remove the indentation)",
                    )
                }
            }
        } else if trimmed.starts_with('[') {
            state = State::Idle;
            if !trimmed.ends_with(']') {
                state = State::AfterError;
                error(column(raw, trimmed.len()), "invalid group header: expected ']' at the end of the line")
            } else if trimmed.len() <= 2 {
                state = State::AfterError;
                error(1, "empty group name: expected a name between '[' and ']'")
            } else {
                in_section = true;
                LineKind::Section { name: trimmed[1..trimmed.len() - 1].to_owned() }
            }
        } else if trimmed.starts_with(['#', ';']) {
            state = State::Idle;
            LineKind::Comment
        } else {
            let sep = match (trimmed.find('='), trimmed.find(':')) {
                (Some(e), Some(c)) => Some(e.min(c)),
                (e, c) => e.or(c),
            };
            match sep {
                None => {
                    state = State::AfterError;
                    error(
                        column(raw, trimmed.len()),
                        "invalid assignment: expected '=' or ':' between the option name and its value",
                    )
                }
                Some(sep) => {
                    let key_part = &trimmed[..sep];
                    let key = key_part.trim();
                    let key_start = key_part.len() - key_part.trim_start().len();
                    let after = &trimmed[sep + 1..];
                    let value_text = after.trim();
                    let value_start = sep + 1 + (after.len() - after.trim_start().len());
                    let (value, quoted) = strip_quotes(value_text);
                    let value_col = column(raw, value_start) + u32::from(quoted && !value.is_empty());
                    if key.is_empty() {
                        state = State::AfterError;
                        error(1, "empty option name: expected a name before the separator")
                    } else if !in_section {
                        state = State::AfterError;
                        error(
                            column(raw, key_start),
                            "assignment before any group: expected a group header such as [DEFAULT] first",
                        )
                    } else {
                        state = State::InValue;
                        LineKind::Entry {
                            key: key.to_owned(),
                            key_col: column(raw, key_start),
                            separator: trimmed.as_bytes()[sep] as char,
                            value: value.to_owned(),
                            value_col,
                        }
                    }
                }
            }
        };
        lines.push(IniLine { text: raw.to_owned(), eol, kind });
    }
    (IniDocument::from_parts(bom, lines), errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_as_python_text_mode() {
        let parts = split_lines("a\nb\r\nc\rd");
        assert_eq!(parts, vec![("a", "\n"), ("b", "\r\n"), ("c", "\r"), ("d", "")]);
    }

    #[test]
    fn quote_rules() {
        assert_eq!(strip_quotes("\"a\""), ("a", true));
        assert_eq!(strip_quotes("'a'"), ("a", true));
        assert_eq!(strip_quotes("\"a'"), ("\"a'", false));
        assert_eq!(strip_quotes("\""), ("", true));
        assert_eq!(strip_quotes("a\""), ("a\"", false));
    }
}
