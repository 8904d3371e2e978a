//! Findings for people (rustc-like, with the source line), for programs
//! (JSON) and for GitHub Actions (workflow annotations).

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::validate::Report;
use crate::diagnostic::{Diagnostic, Severity, printable};
use crate::opt::{MASK, Registry};
use crate::source::Origin;

fn severity(d: &Diagnostic) -> &'static str {
    d.severity.as_str()
}

fn location(d: &Diagnostic) -> Option<(&Path, u32, u32)> {
    match &d.origin {
        Some(Origin::File(l)) if l.line > 0 => Some((&l.path, l.line, l.column)),
        _ => None,
    }
}

/// A file's lines, split as its parser splits them (so that line numbers
/// agree): INI ends a line at `\n`, `\r\n` or a lone `\r`, TOML at `\n`.
fn source_lines(path: &Path, text: &str) -> Vec<String> {
    match crate::source::Format::of(path) {
        crate::source::Format::Ini => {
            crate::source::ini::split_lines(text).into_iter().map(|(l, _)| l.to_owned()).collect()
        }
        crate::source::Format::Toml => text.lines().map(str::to_owned).collect(),
    }
}

/// A source line as it may be shown: an assignment's value is masked
/// unless the option is known and not secret (a misspelt `pasword` may
/// hold a password); lines that are neither assignments, headers nor
/// comments are not shown.
///
/// A line may also be part of a value: an indented INI line continues
/// the value above it, and a TOML syntax error may point inside a
/// multi-line string. Such lines are not shown at all, since no part of
/// them can be told from a secret.
fn shown_line(text: &str, d: &Diagnostic, path: &Path, registry: &Registry) -> Option<String> {
    let toml = crate::source::Format::of(path) == crate::source::Format::Toml;
    if toml && d.code == crate::diagnostic::Code::TomlSyntax {
        return None;
    }
    if text.trim().is_empty() {
        return Some(text.to_owned());
    }
    if !toml && text.starts_with([' ', '\t']) {
        return None;
    }
    let group = d.group.as_deref();
    let t = text.trim_start();
    if t.starts_with(['#', ';', '[']) {
        return Some(text.to_owned());
    }
    let sep = match (text.find('='), text.find(':')) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let key = text[..sep].trim().trim_matches('"');
    let open = group.is_some_and(|g| known_open(registry, g, key));
    if open {
        Some(text.to_owned())
    } else {
        let value_start = sep + 1 + (text[sep + 1..].len() - text[sep + 1..].trim_start().len());
        Some(format!("{}{MASK}", &text[..value_start]))
    }
}

/// Whether `key` in `group` is an option (by its name, a deprecated name,
/// or as a compound's legacy part) whose value may be shown.
fn known_open(registry: &Registry, group: &str, key: &str) -> bool {
    use crate::opt::normalize_group;
    if let Some(o) = registry.find(group, key) {
        return !o.is_secret();
    }
    let (g, k) = (normalize_group(group), key.replace('-', "_"));
    registry.groups().any(|grp| {
        let own = normalize_group(grp.name());
        grp.opts().any(|o| {
            !o.is_secret()
                && o.deprecated_names().iter().any(|d| {
                    d.group.as_deref().map_or_else(|| own.clone(), normalize_group) == g
                        && d.name.as_deref().map_or_else(|| o.dest().to_owned(), |n| n.replace('-', "_")) == k
                })
        }) || (own == g && grp.compounds().iter().any(|c| c.part(&k).is_some()))
    })
}

/// The report as compilers print it: each finding with its source line.
pub fn human(report: &Report) -> String {
    let registry = &report.registry;
    let mut files: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut out = String::new();
    for d in &report.findings {
        let start = out.len();
        let _ = write!(out, "{}[{}]: ", severity(d), d.code);
        match (&d.group, &d.option) {
            (Some(g), Some(o)) => {
                let _ = write!(out, "[{g}] {o}: ");
            }
            (Some(g), None) => {
                let _ = write!(out, "[{g}]: ");
            }
            _ => {}
        }
        let _ = writeln!(out, "{}", d.message);
        if let Some((path, line, col)) = location(d) {
            let width = line.to_string().len();
            let _ = writeln!(out, "{:width$}--> {}:{line}:{col}", "", path.display());
            let lines = files.entry(path.to_path_buf()).or_insert_with(|| {
                crate::source::read::read_text(path).map(|t| source_lines(path, &t)).unwrap_or_default()
            });
            if let Some(text) = lines.get(line as usize - 1).and_then(|t| shown_line(t, d, path, registry)) {
                let text = text.trim_start_matches('\u{feff}');
                let _ = writeln!(out, "{:width$} |", "");
                let _ = writeln!(out, "{line:width$} | {text}");
                let pad: String = text
                    .chars()
                    .take(col.saturating_sub(1) as usize)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{:width$} | {pad}^", "");
            }
        } else if let Some(o) = &d.origin {
            let _ = writeln!(out, "  --> {o}");
        }
        if let Some(s) = &d.suggestion {
            let _ = writeln!(out, "  = help: {s}");
        }
        out.push('\n');
        // Names and source lines come from the file: no terminal escapes.
        let finding = out.split_off(start);
        out.push_str(&printable(&finding));
    }
    let (e, w, n) = (report.errors(), report.warnings(), report.notes());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let notes = if n > 0 { format!(", {n} note{}", plural(n)) } else { String::new() };
    let _ = writeln!(
        out,
        "{e} error{}, {w} warning{}{notes} in {} file{}",
        plural(e),
        plural(w),
        report.files.len(),
        plural(report.files.len())
    );
    out
}

/// The report as JSON: `{"findings": [...], "summary": {...}}`.
pub fn json(report: &Report) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|d| {
            let (file, line, column) = match location(d) {
                Some((p, l, c)) => (Some(p.display().to_string()), Some(l), Some(c)),
                None => {
                    (d.origin.as_ref().and_then(|o| o.location()).map(|l| l.path.display().to_string()), None, None)
                }
            };
            json!({
                "severity": severity(d),
                "code": d.code.as_str(),
                "group": d.group,
                "option": d.option,
                "file": file,
                "line": line,
                "column": column,
                "source": d.origin.as_ref().filter(|o| o.location().is_none()).map(ToString::to_string),
                "message": d.message,
                "suggestion": d.suggestion,
            })
        })
        .collect();
    json!({
        "findings": findings,
        "summary": {
            "errors": report.errors(),
            "warnings": report.warnings(),
            "notes": report.notes(),
            "files": report.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        }
    })
}

/// GitHub's workflow-command escaping for a message.
fn gh_data(s: &str) -> String {
    printable(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// GitHub's escaping for a property value.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The report as GitHub Actions annotations (`::error file=...::message`).
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.findings {
        let mut props = Vec::new();
        if let Some((p, l, c)) = location(d) {
            props.push(format!("file={}", gh_prop(&p.display().to_string())));
            props.push(format!("line={l}"));
            props.push(format!("col={c}"));
        } else if let Some(loc) = d.origin.as_ref().and_then(|o| o.location()) {
            props.push(format!("file={}", gh_prop(&loc.path.display().to_string())));
        }
        props.push(format!("title={}", gh_prop(&format!("stackauth {}", d.code))));
        let mut msg = match (&d.group, &d.option) {
            (Some(g), Some(o)) => format!("[{g}] {o}: {}", d.message),
            (Some(g), None) => format!("[{g}]: {}", d.message),
            _ => d.message.clone(),
        };
        if let Some(s) = &d.suggestion {
            msg.push_str(&format!(" ({s})"));
        }
        // GitHub's three levels: error, warning, notice.
        let level = if d.severity == Severity::Note { "notice" } else { severity(d) };
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), gh_data(&msg));
    }
    out
}
