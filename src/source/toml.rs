//! TOML files: the same groups as tables, native types where they fit.

use std::path::Path;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::file::{FileSource, LineIndex};
use super::{Entry, Origin};
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::RawValue;

/// Reads a TOML config: each top-level table is a group, each key in it an
/// option. Errors carry line and column; they never quote the file (a line
/// may hold a password).
pub fn parse(path: &Arc<Path>, text: &str) -> Result<FileSource, Vec<Diagnostic>> {
    let index = LineIndex::new(text);
    let at = |offset: usize| Origin::File(index.location(path, offset));
    let table = DeTable::parse(text).map_err(|e| {
        let origin = at(e.span().map_or(0, |s| s.start));
        vec![Diagnostic::error(Code::TomlSyntax, format!("invalid TOML: {}", e.message().trim())).at(origin)]
    })?;
    let mut source = FileSource::new(path.clone());
    let mut errors = Vec::new();
    for (group, value) in table.get_ref() {
        let group_origin = at(group.span().start);
        match value.get_ref() {
            DeValue::Table(opts) => {
                source.groups.push((group.get_ref().to_string(), group_origin));
                for (key, value) in opts {
                    match convert(value) {
                        Ok(raw) => source.entries.push(Entry {
                            group: group.get_ref().to_string(),
                            key: key.get_ref().to_string(),
                            value: raw,
                            origin: at(value.span().start),
                            key_origin: at(key.span().start),
                        }),
                        Err((offset, msg)) => errors.push(
                            Diagnostic::error(Code::TomlSyntax, msg)
                                .at(at(offset))
                                .option(group.get_ref(), key.get_ref()),
                        ),
                    }
                }
            }
            other => errors.push(
                Diagnostic::error(
                    Code::TomlSyntax,
                    format!(
                        "expected a table of options for group \"{}\", found {}",
                        group.get_ref(),
                        other.type_str()
                    ),
                )
                .at(group_origin)
                .suggest(format!("write the options under a [{}] header", group.get_ref())),
            ),
        }
    }
    if errors.is_empty() { Ok(source) } else { Err(errors) }
}

/// Turns a TOML value into a raw value; on failure, the byte offset and why.
fn convert(value: &Spanned<DeValue<'_>>) -> Result<RawValue, (usize, String)> {
    let offset = value.span().start;
    Ok(match value.get_ref() {
        DeValue::String(s) => RawValue::Str(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(RawValue::Int)
            .map_err(|_| (offset, "integer out of range (64-bit)".to_owned()))?,
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map(RawValue::Float)
            .map_err(|_| (offset, "invalid float".to_owned()))?,
        DeValue::Boolean(b) => RawValue::Bool(*b),
        DeValue::Datetime(d) => RawValue::Datetime(d.to_string()),
        DeValue::Array(items) => RawValue::Array(items.iter().map(convert).collect::<Result<_, _>>()?),
        DeValue::Table(t) => RawValue::Table(
            t.iter().map(|(k, v)| convert(v).map(|raw| (k.get_ref().to_string(), raw))).collect::<Result<_, _>>()?,
        ),
    })
}
