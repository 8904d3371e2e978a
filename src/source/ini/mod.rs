//! oslo.config's INI dialect, read losslessly.
//!
//! [`IniDocument`] keeps every byte (comments, blank lines, line endings,
//! a byte order mark) so that tools can rewrite a file in place and leave
//! everything they do not touch exactly as it was.

mod document;
mod parse;

pub use document::{IniDocument, IniEntry, IniLine, LineKind};
#[cfg(feature = "tools")]
pub(crate) use parse::split_lines;
pub use parse::{IniSyntaxError, parse};
