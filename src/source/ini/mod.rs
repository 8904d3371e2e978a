//! oslo.config's INI dialect, read losslessly.
//!
//! [`IniDocument`] keeps every byte (comments, blank lines, line endings,
//! a byte order mark) so that tools can rewrite a file in place and leave
//! everything they do not touch exactly as it was. [`Scanner`] reads the
//! same dialect for loading: groups and assignments borrowed from the
//! text, nothing kept of comments and blank lines.

mod document;
mod parse;

pub use document::{IniDocument, IniEntry, IniLine, LineKind};
#[cfg(feature = "tools")]
pub(crate) use parse::split_lines;
pub use parse::{Assignment, IniSyntaxError, Item, Scanner, parse};
