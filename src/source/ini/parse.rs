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
//!
//! Two readers share one line classifier ([`Classifier`]), so they cannot
//! disagree on what a line means: [`parse`] builds the lossless
//! [`IniDocument`] (every line copied, for `migrate`), and [`Scanner`]
//! yields groups and assignments borrowed from the text, skipping comments
//! and blank lines without copying them (the load path).

use std::borrow::Cow;
use std::fmt;

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

/// The lines of a text the way Python's text mode splits them: `\n`,
/// `\r\n` and a lone `\r` all end a line. Each line comes with its
/// terminator (empty for a last line without one).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines { text, pos: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (&'a str, &'static str);

    fn next(&mut self) -> Option<(&'a str, &'static str)> {
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..).filter(|r| !r.is_empty())?;
        // Both terminators are ASCII, so every cut is on a char boundary.
        let Some(i) = memchr::memchr2(b'\n', b'\r', rest) else {
            self.pos = self.text.len();
            return Some((&self.text[start..], ""));
        };
        let eol = match (rest[i], rest.get(i + 1)) {
            (b'\n', _) => "\n",
            (_, Some(b'\n')) => "\r\n",
            _ => "\r",
        };
        self.pos = start + i + eol.len();
        Some((&self.text[start..start + i], eol))
    }
}

/// Splits text into lines (see [`Lines`]).
#[cfg(any(test, feature = "tools"))]
pub(crate) fn split_lines(text: &str) -> Vec<(&str, &'static str)> {
    Lines::new(text).collect()
}

/// The text after a UTF-8 byte order mark, and whether there was one.
fn strip_bom(text: &str) -> (bool, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    }
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

#[derive(Clone, Copy, PartialEq)]
enum State {
    /// No value open: a continuation line is an error.
    Idle,
    /// A value is open.
    InValue,
    /// The previous line was an error: swallow its continuations quietly.
    AfterError,
}

/// What one line is, borrowed from the text ([`LineKind`] owns the same).
enum Kind<'a> {
    Blank,
    Comment,
    Section(&'a str),
    Entry {
        key: &'a str,
        key_col: u32,
        separator: char,
        value: &'a str,
        value_col: u32,
    },
    Continuation {
        value: &'a str,
        value_col: u32,
    },
    /// A syntax error (`None`: a continuation of a line in error, which
    /// is not reported again).
    Invalid(Option<IniSyntaxError>),
}

/// The dialect's rules, one line at a time: what each line is, given
/// what came before it.
struct Classifier {
    state: State,
    in_section: bool,
}

impl Classifier {
    fn new() -> Classifier {
        Classifier { state: State::Idle, in_section: false }
    }

    /// Classifies line `lineno` (1-based), text `raw` without its ending.
    fn line<'a>(&mut self, raw: &'a str, lineno: u32) -> Kind<'a> {
        // Most lines of a shipped config are comments: tell them by their
        // first byte and look no further (no trimming, no search).
        if let Some(b'#' | b';') = raw.as_bytes().first() {
            self.state = State::Idle;
            return Kind::Comment;
        }
        let trimmed = raw.trim_end();
        let error = |state: &mut State, col: u32, msg: &str| {
            *state = State::AfterError;
            Kind::Invalid(Some(IniSyntaxError { line: lineno, column: col, message: msg.to_owned() }))
        };
        if trimmed.is_empty() {
            self.state = State::Idle;
            Kind::Blank
        } else if trimmed.starts_with([' ', '\t']) {
            let content = trimmed.trim_start();
            let start = trimmed.len() - content.len();
            match self.state {
                State::InValue => Kind::Continuation { value: content, value_col: column(raw, start) },
                State::AfterError => Kind::Invalid(None),
                State::Idle => error(
                    &mut self.state,
                    column(raw, start),
                    "unexpected continuation line: an indented line continues the value above it, \
                     and there is none (remove the indentation)",
                ),
            }
        } else if trimmed.starts_with('[') {
            self.state = State::Idle;
            if !trimmed.ends_with(']') {
                error(
                    &mut self.state,
                    column(raw, trimmed.len()),
                    "invalid group header: expected ']' at the end of the line",
                )
            } else if trimmed.len() <= 2 {
                error(&mut self.state, 1, "empty group name: expected a name between '[' and ']'")
            } else {
                self.in_section = true;
                Kind::Section(&trimmed[1..trimmed.len() - 1])
            }
        } else {
            // The first of `=` and `:` (both ASCII: byte offsets are char
            // boundaries).
            let Some(sep) = trimmed.bytes().position(|b| b == b'=' || b == b':') else {
                return error(
                    &mut self.state,
                    column(raw, trimmed.len()),
                    "invalid assignment: expected '=' or ':' between the option name and its value",
                );
            };
            let key_part = &trimmed[..sep];
            let key = key_part.trim();
            let key_start = key_part.len() - key_part.trim_start().len();
            if key.is_empty() {
                return error(&mut self.state, 1, "empty option name: expected a name before the separator");
            }
            if !self.in_section {
                return error(
                    &mut self.state,
                    column(raw, key_start),
                    "assignment before any group: expected a group header such as [DEFAULT] first",
                );
            }
            let after = &trimmed[sep + 1..];
            let value_text = after.trim();
            let value_start = sep + 1 + (after.len() - after.trim_start().len());
            let (value, quoted) = strip_quotes(value_text);
            self.state = State::InValue;
            Kind::Entry {
                key,
                key_col: column(raw, key_start),
                separator: trimmed.as_bytes()[sep] as char,
                value,
                value_col: column(raw, value_start) + u32::from(quoted && !value.is_empty()),
            }
        }
    }
}

/// Parses `text` into a lossless document and the list of syntax errors
/// (empty when the file is valid). Lines with errors are kept as
/// [`LineKind::Invalid`], so printing the document still gives `text`.
pub fn parse(text: &str) -> (IniDocument, Vec<IniSyntaxError>) {
    let (bom, body) = strip_bom(text);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut classifier = Classifier::new();
    for (idx, (raw, eol)) in Lines::new(body).enumerate() {
        let kind = match classifier.line(raw, (idx + 1) as u32) {
            Kind::Blank => LineKind::Blank,
            Kind::Comment => LineKind::Comment,
            Kind::Section(name) => LineKind::Section { name: name.to_owned() },
            Kind::Entry { key, key_col, separator, value, value_col } => {
                LineKind::Entry { key: key.to_owned(), key_col, separator, value: value.to_owned(), value_col }
            }
            Kind::Continuation { value, value_col } => LineKind::Continuation { value: value.to_owned(), value_col },
            Kind::Invalid(error) => {
                errors.extend(error);
                LineKind::Invalid
            }
        };
        lines.push(IniLine { text: raw.to_owned(), eol, kind });
    }
    (IniDocument::from_parts(bom, lines), errors)
}

/// One assignment found by [`Scanner`]: borrowed from the text, except a
/// value continued over several lines (joined with `\n`).
#[derive(Clone, PartialEq, Eq)]
pub struct Assignment<'a> {
    /// The group name as written.
    pub group: &'a str,
    /// The option name as written (trimmed).
    pub key: &'a str,
    /// The value: trimmed, one pair of quotes stripped, continuation lines
    /// joined with `\n`.
    pub value: Cow<'a, str>,
    /// 1-based line of the key.
    pub line: u32,
    /// 1-based column of the key.
    pub key_col: u32,
    /// 1-based column of the value on the first line.
    pub value_col: u32,
}

// The value may be a secret.
impl fmt::Debug for Assignment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Assignment([{}] {} = **** at line {})", self.group, self.key, self.line)
    }
}

/// What [`Scanner`] finds, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A group header: the name as written and its 1-based line.
    Group {
        /// The group name.
        name: &'a str,
        /// 1-based line of the header.
        line: u32,
    },
    /// An assignment, with its continuation lines.
    Entry(Assignment<'a>),
    /// A syntax error (scanning goes on after it).
    Error(IniSyntaxError),
}

/// The load path's reader: groups, assignments and errors straight from
/// the text, in file order, with nothing copied but values continued over
/// several lines. Comments and blank lines are skipped; line numbers are
/// counted on the way. It agrees with [`parse`] on every input (the same
/// classifier; `tests/config/ini_fast_path.rs` checks it).
///
/// ```
/// use stackauth::source::ini::{Item, Scanner};
/// let text = "# a comment\n[DEFAULT]\ndebug = true\nhosts = a\n  b\n";
/// let items: Vec<_> = Scanner::new(text).collect();
/// assert_eq!(items[0], Item::Group { name: "DEFAULT", line: 2 });
/// let Item::Entry(hosts) = &items[2] else { panic!() };
/// assert_eq!((hosts.key, &*hosts.value, hosts.line), ("hosts", "a\nb", 4));
/// ```
pub struct Scanner<'a> {
    lines: Lines<'a>,
    lineno: u32,
    classifier: Classifier,
    group: &'a str,
    /// The assignment being read: continuation lines may still follow.
    pending: Option<Assignment<'a>>,
    /// What ended the pending assignment, given out right after it.
    held: Option<Item<'a>>,
}

impl<'a> Scanner<'a> {
    /// Scans `text` (a UTF-8 byte order mark at its start is skipped).
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            lines: Lines::new(strip_bom(text).1),
            lineno: 0,
            classifier: Classifier::new(),
            group: "",
            pending: None,
            held: None,
        }
    }
}

impl<'a> Iterator for Scanner<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        if let Some(item) = self.held.take() {
            return Some(item);
        }
        loop {
            let Some((raw, _)) = self.lines.next() else {
                return self.pending.take().map(Item::Entry);
            };
            self.lineno += 1;
            let item = match self.classifier.line(raw, self.lineno) {
                Kind::Continuation { value, .. } => {
                    // Only an open assignment makes a continuation.
                    if let Some(open) = &mut self.pending {
                        let joined = open.value.to_mut();
                        joined.push('\n');
                        joined.push_str(value);
                    }
                    continue;
                }
                Kind::Entry { key, key_col, value, value_col, .. } => {
                    let next = Assignment {
                        group: self.group,
                        key,
                        value: Cow::Borrowed(value),
                        line: self.lineno,
                        key_col,
                        value_col,
                    };
                    match self.pending.replace(next) {
                        Some(done) => return Some(Item::Entry(done)),
                        None => continue,
                    }
                }
                Kind::Blank | Kind::Comment | Kind::Invalid(None) => match self.pending.take() {
                    Some(done) => return Some(Item::Entry(done)),
                    None => continue,
                },
                Kind::Section(name) => {
                    self.group = name;
                    Item::Group { name, line: self.lineno }
                }
                Kind::Invalid(Some(error)) => Item::Error(error),
            };
            return match self.pending.take() {
                Some(done) => {
                    self.held = Some(item);
                    Some(Item::Entry(done))
                }
                None => Some(item),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_as_python_text_mode() {
        let parts = split_lines("a\nb\r\nc\rd");
        assert_eq!(parts, vec![("a", "\n"), ("b", "\r\n"), ("c", "\r"), ("d", "")]);
        assert_eq!(split_lines("\r\r\n\n"), vec![("", "\r"), ("", "\r\n"), ("", "\n")]);
        assert_eq!(split_lines(""), vec![]);
    }

    #[test]
    fn quote_rules() {
        assert_eq!(strip_quotes("\"a\""), ("a", true));
        assert_eq!(strip_quotes("'a'"), ("a", true));
        assert_eq!(strip_quotes("\"a'"), ("\"a'", false));
        assert_eq!(strip_quotes("\""), ("", true));
        assert_eq!(strip_quotes("a\""), ("a\"", false));
    }

    #[test]
    fn scanner_gives_what_ends_a_value_after_the_value() {
        let items: Vec<_> = Scanner::new("[a]\nk = 1\n  2\n[b]\nx\n").collect();
        assert!(matches!(&items[1], Item::Entry(e) if e.value == "1\n2" && e.group == "a"));
        assert_eq!(items[2], Item::Group { name: "b", line: 4 });
        assert!(matches!(&items[3], Item::Error(e) if e.line == 5));
        assert_eq!(items.len(), 4);
    }
}
