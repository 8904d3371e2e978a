//! A lossless INI document: every byte of the file, line by line, with
//! what each line means. Printing it gives back the file exactly.

use std::fmt;

/// One line of the file: its text (without the line ending), its ending,
/// and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniLine {
    pub(super) text: String,
    pub(super) eol: &'static str,
    pub(super) kind: LineKind,
}

impl IniLine {
    /// The line's text, without its line ending.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What the line is.
    pub fn kind(&self) -> &LineKind {
        &self.kind
    }

    /// The line's ending: `\n`, `\r\n`, `\r`, or empty for a last line
    /// without one.
    pub fn eol(&self) -> &str {
        self.eol
    }
}

/// What a line is.
#[derive(Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or white space only.
    Blank,
    /// A `#` or `;` comment.
    Comment,
    /// A group header; the name as written between the brackets.
    Section {
        /// The group name.
        name: String,
    },
    /// The first line of an assignment.
    Entry {
        /// The option name, trimmed.
        key: String,
        /// 1-based column of the key.
        key_col: u32,
        /// `=` or `:`.
        separator: char,
        /// The first line's value, trimmed, quotes stripped.
        value: String,
        /// 1-based column of the value.
        value_col: u32,
    },
    /// An indented line that continues the value above.
    Continuation {
        /// The text after the indentation.
        value: String,
        /// 1-based column of that text.
        value_col: u32,
    },
    /// A line with a syntax error (reported separately).
    Invalid,
}

// Values may be secrets: keep them out of Debug.
impl fmt::Debug for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineKind::Blank => f.write_str("Blank"),
            LineKind::Comment => f.write_str("Comment"),
            LineKind::Section { name } => write!(f, "Section({name:?})"),
            LineKind::Entry { key, .. } => write!(f, "Entry({key:?} = ****)"),
            LineKind::Continuation { .. } => f.write_str("Continuation(****)"),
            LineKind::Invalid => f.write_str("Invalid"),
        }
    }
}

/// One assignment: group, key and the whole value (continuation lines
/// joined with `\n`), with positions.
#[derive(Clone, PartialEq, Eq)]
pub struct IniEntry<'a> {
    /// The group name as written.
    pub group: &'a str,
    /// The option name as written.
    pub key: &'a str,
    /// The value, continuation lines joined with `\n`.
    pub value: String,
    /// 1-based line of the key.
    pub line: u32,
    /// 1-based column of the key.
    pub key_col: u32,
    /// 1-based column of the value on the first line.
    pub value_col: u32,
    /// Index of the first line in [`IniDocument::lines`].
    pub first_line: usize,
    /// How many lines the assignment spans (1 + continuation lines).
    pub line_count: usize,
}

impl fmt::Debug for IniEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IniEntry([{}] {} = **** at line {})", self.group, self.key, self.line)
    }
}

/// A whole INI file, kept byte for byte.
///
/// ```
/// use stackauth::source::ini::IniDocument;
/// let text = "# header\n[DEFAULT]\ndebug = true\n\n[keystone_authtoken]\nauth_url: http://k:5000\n";
/// let doc = IniDocument::parse(text).unwrap();
/// assert_eq!(doc.to_string(), text);
/// let entries: Vec<_> = doc.entries().map(|e| (e.group, e.key, e.value)).collect();
/// assert_eq!(entries[1], ("keystone_authtoken", "auth_url", "http://k:5000".to_string()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniDocument {
    bom: bool,
    lines: Vec<IniLine>,
}

impl IniDocument {
    pub(super) fn from_parts(bom: bool, lines: Vec<IniLine>) -> IniDocument {
        IniDocument { bom, lines }
    }

    /// Parses `text`; all syntax errors come back at once.
    pub fn parse(text: &str) -> Result<IniDocument, Vec<super::IniSyntaxError>> {
        let (doc, errors) = super::parse::parse(text);
        if errors.is_empty() { Ok(doc) } else { Err(errors) }
    }

    /// Whether the file started with a UTF-8 byte order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The lines, in order.
    pub fn lines(&self) -> &[IniLine] {
        &self.lines
    }

    /// The group names, in the order their headers appear (repeats kept).
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Section { name } => Some(name.as_str()),
            _ => None,
        })
    }

    /// Every assignment in file order, with its group.
    pub fn entries(&self) -> impl Iterator<Item = IniEntry<'_>> {
        let mut group: &str = "";
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < self.lines.len() {
                let idx = i;
                i += 1;
                match &self.lines[idx].kind {
                    LineKind::Section { name } => group = name,
                    LineKind::Entry { key, key_col, value, value_col, .. } => {
                        let mut joined = value.clone();
                        while let Some(LineKind::Continuation { value, .. }) = self.lines.get(i).map(|l| &l.kind) {
                            joined.push('\n');
                            joined.push_str(value);
                            i += 1;
                        }
                        return Some(IniEntry {
                            group,
                            key,
                            value: joined,
                            line: (idx + 1) as u32,
                            key_col: *key_col,
                            value_col: *value_col,
                            first_line: idx,
                            line_count: i - idx,
                        });
                    }
                    _ => {}
                }
            }
            None
        })
    }
}

/// Prints the document: exactly the bytes it was parsed from.
impl fmt::Display for IniDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bom {
            f.write_str("\u{feff}")?;
        }
        for line in &self.lines {
            f.write_str(&line.text)?;
            f.write_str(line.eol)?;
        }
        Ok(())
    }
}
