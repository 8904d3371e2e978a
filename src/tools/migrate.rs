//! `stackauth migrate`: deprecated names to current ones, compound legacy
//! options to the one they became, legacy keystonemiddleware admin groups
//! to a modern `auth_type = password` group, INI to TOML.
//!
//! Every edit is a line edit on the lossless document: whatever the
//! migration does not touch (comments, blank lines, order, line endings,
//! spacing around `=`) stays byte for byte, and migrating a current file
//! changes nothing.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Compound, DEFAULT_GROUP, Registry, normalize_group};
use crate::source::ini::{self, IniDocument, IniEntry, LineKind};
use crate::source::{Location, Origin};
use crate::tools::text::{comment_safe, toml_key, toml_string};

/// A migrated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The file as it was.
    pub original: String,
    /// The file as it should be.
    pub migrated: String,
    /// What was changed, one line each (`line 12: auth_uri -> www_authenticate_uri`).
    pub changes: Vec<String>,
    /// What needs a person: options deprecated for removal with no
    /// replacement, and the like.
    pub manual: Vec<String>,
}

impl Migration {
    /// Whether the file needs migrating.
    pub fn changed(&self) -> bool {
        self.original != self.migrated
    }
}

/// A file as lines (text, ending) that edits work on.
struct Lines {
    lines: Vec<(String, String)>,
    bom: bool,
}

impl Lines {
    fn of(doc: &IniDocument) -> Lines {
        Lines {
            lines: doc.lines().iter().map(|l| (l.text().to_owned(), l.eol().to_owned())).collect(),
            bom: doc.has_bom(),
        }
    }

    fn eol(&self) -> String {
        self.lines.iter().map(|(_, e)| e.clone()).find(|e| !e.is_empty()).unwrap_or_else(|| "\n".into())
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        for (t, e) in &self.lines {
            out.push_str(t);
            out.push_str(e);
        }
        out
    }
}

/// Line edits, applied from the bottom up so indices stay valid.
#[derive(Default)]
struct Edits {
    /// Replace line `i` by these lines.
    replace: HashMap<usize, Vec<String>>,
    /// Lines to drop.
    delete: Vec<usize>,
    /// Lines to add after line `i` (`usize::MAX`: at the end).
    insert_after: Vec<(usize, Vec<String>)>,
}

impl Edits {
    fn is_empty(&self) -> bool {
        self.replace.is_empty() && self.delete.is_empty() && self.insert_after.is_empty()
    }

    fn delete_entry(&mut self, e: &IniEntry<'_>) {
        self.delete.extend(e.first_line..e.first_line + e.line_count);
    }

    fn apply(self, l: &mut Lines) {
        let eol = l.eol();
        let mut out: Vec<(String, String)> = Vec::with_capacity(l.lines.len());
        let mut at_end = Vec::new();
        for (i, (text, e)) in l.lines.iter().enumerate() {
            if let Some(new) = self.replace.get(&i) {
                let n = new.len();
                for (k, t) in new.iter().enumerate() {
                    out.push((t.clone(), if k + 1 == n { e.clone() } else { eol.clone() }));
                }
            } else if !self.delete.contains(&i) {
                out.push((text.clone(), e.clone()));
            }
            for (after, add) in &self.insert_after {
                if *after == i {
                    if out.last().is_some_and(|(_, e)| e.is_empty()) {
                        if let Some(last) = out.last_mut() {
                            last.1 = eol.clone();
                        }
                    }
                    out.extend(add.iter().map(|t| (t.clone(), eol.clone())));
                }
            }
        }
        for (after, add) in &self.insert_after {
            if *after == usize::MAX {
                at_end.extend(add.iter().cloned());
            }
        }
        if !at_end.is_empty() {
            if let Some(last) = out.last_mut() {
                if last.1.is_empty() {
                    last.1 = eol.clone();
                }
            }
            out.extend(at_end.into_iter().map(|t| (t, eol.clone())));
        }
        l.lines = out;
    }
}

/// The line with its key replaced by `new_key`; everything else kept.
fn rename_key(line: &str, e: &IniEntry<'_>, new_key: &str) -> String {
    let start: usize = line.char_indices().nth(e.key_col as usize - 1).map_or(0, |(i, _)| i);
    let end = start + e.key.len();
    format!("{}{new_key}{}", &line[..start], &line[end..])
}

fn parse(text: &str, path: &Path) -> Result<IniDocument, Vec<Diagnostic>> {
    let (doc, errors) = ini::parse(text);
    if errors.is_empty() {
        return Ok(doc);
    }
    Err(errors
        .into_iter()
        .map(|e| {
            let loc = Location { path: Arc::from(path), line: e.line, column: e.column };
            Diagnostic::error(Code::IniSyntax, format!("{} (a file must parse before it is migrated)", e.message))
                .at(Origin::File(loc))
        })
        .collect())
}

use std::sync::Arc;

/// Where a deprecated name now lives: (group, option dest).
fn replacement(registry: &Registry, group: &str, key: &str) -> Option<(String, String)> {
    let (g, k) = (normalize_group(group), key.replace('-', "_"));
    for grp in registry.groups() {
        for o in grp.opts() {
            for d in o.deprecated_names() {
                let dg = d.group.as_deref().map_or_else(|| normalize_group(grp.name()), normalize_group);
                let dn = d.name.as_deref().map_or_else(|| o.dest().to_owned(), |n| n.replace('-', "_"));
                if dg == g && dn == k {
                    return Some((grp.name().to_owned(), o.dest().to_owned()));
                }
            }
        }
    }
    None
}

fn is_current(registry: &Registry, group: &str, key: &str) -> bool {
    registry.find(group, key).is_some()
}

/// Pass 1: deprecated names and groups.
fn renames(doc: &IniDocument, registry: &Registry, changes: &mut Vec<String>) -> Edits {
    let mut edits = Edits::default();
    let entries: Vec<IniEntry<'_>> = doc.entries().collect();
    let has = |g: &str, k: &str| {
        entries.iter().any(|e| normalize_group(e.group) == normalize_group(g) && e.key.replace('-', "_") == k)
    };
    // The last line of each group's last block, for moved options.
    // After a group's last entry; in a group without entries, after its
    // block's last non-blank line (its comments stay above the option).
    let mut last_entry: HashMap<String, usize> = HashMap::new();
    let mut last_line: HashMap<String, usize> = HashMap::new();
    let mut current: Option<String> = None;
    for (i, l) in doc.lines().iter().enumerate() {
        match l.kind() {
            LineKind::Section { name } => {
                current = Some(normalize_group(name));
                last_line.insert(normalize_group(name), i);
            }
            LineKind::Entry { .. } | LineKind::Continuation { .. } => {
                if let Some(g) = &current {
                    last_entry.insert(g.clone(), i);
                    last_line.insert(g.clone(), i);
                }
            }
            LineKind::Comment | LineKind::Invalid => {
                if let Some(g) = &current {
                    last_line.insert(g.clone(), i);
                }
            }
            LineKind::Blank => {}
        }
    }
    let group_end: HashMap<String, usize> =
        last_line.iter().map(|(g, l)| (g.clone(), last_entry.get(g).copied().unwrap_or(*l))).collect();
    let mut appended: HashMap<String, Vec<String>> = HashMap::new();
    for e in &entries {
        if is_current(registry, e.group, e.key) {
            continue;
        }
        let Some((new_group, new_key)) = replacement(registry, e.group, e.key) else { continue };
        if has(&new_group, &new_key) {
            edits.delete_entry(e);
            changes.push(format!(
                "line {}: removed [{}] {} (shadowed: [{new_group}] {new_key} is set)",
                e.line, e.group, e.key
            ));
            continue;
        }
        let first = doc.lines()[e.first_line].text();
        let renamed = rename_key(first, e, &new_key);
        if normalize_group(&new_group) == normalize_group(e.group) {
            edits.replace.insert(e.first_line, vec![renamed]);
            changes.push(format!("line {}: {} -> {new_key}", e.line, e.key));
        } else {
            edits.delete_entry(e);
            let mut block = vec![renamed];
            block.extend((e.first_line + 1..e.first_line + e.line_count).map(|i| doc.lines()[i].text().to_owned()));
            appended.entry(new_group.clone()).or_default().extend(block);
            changes.push(format!("line {}: [{}] {} -> [{new_group}] {new_key}", e.line, e.group, e.key));
        }
    }
    for (g, block) in appended {
        match group_end.get(&normalize_group(&g)) {
            Some(&i) => edits.insert_after.push((i, block)),
            None => {
                let mut b = vec![String::new(), format!("[{g}]")];
                b.extend(block);
                edits.insert_after.push((usize::MAX, b));
            }
        }
    }
    edits
}

/// Pass 2: compound legacy options become their target.
fn compounds(doc: &IniDocument, registry: &Registry, changes: &mut Vec<String>) -> Edits {
    let mut edits = Edits::default();
    let entries: Vec<IniEntry<'_>> = doc.entries().collect();
    for grp in registry.groups() {
        for c in grp.compounds() {
            let in_group = |e: &&IniEntry<'_>| normalize_group(e.group) == normalize_group(grp.name());
            let parts: Vec<&IniEntry<'_>> =
                entries.iter().filter(in_group).filter(|e| c.part(&e.key.replace('-', "_")).is_some()).collect();
            if parts.is_empty() {
                continue;
            }
            let target_set = entries.iter().filter(in_group).any(|e| e.key.replace('-', "_") == c.target);
            for p in &parts {
                edits.delete_entry(p);
            }
            let names: Vec<&str> = parts.iter().map(|p| p.key).collect();
            if target_set {
                changes.push(format!("removed {} from [{}] ({} is set)", names.join(", "), grp.name(), c.target));
                continue;
            }
            let value = render_compound(c, &parts);
            let first = parts.iter().map(|p| p.first_line).min().unwrap_or(0);
            edits.delete.retain(|i| *i != first);
            edits.replace.insert(first, vec![format!("{} = {value}", c.target)]);
            changes.push(format!("line {}: {} -> {} = {value}", first + 1, names.join(", "), c.target));
        }
    }
    edits
}

fn render_compound(c: &Compound, parts: &[&IniEntry<'_>]) -> String {
    c.render(|name| {
        parts
            .iter()
            .rev()
            .find(|p| p.key.replace('-', "_") == name)
            .map(|p| p.value.clone())
            .or_else(|| c.part(name).map(|p| p.default.clone()))
            .unwrap_or_default()
    })
}

/// Pass 3: keystonemiddleware's legacy admin credentials become a modern
/// `auth_type = password` group.
fn legacy_admin(doc: &IniDocument, registry: &Registry, changes: &mut Vec<String>) -> Edits {
    let mut edits = Edits::default();
    let entries: Vec<IniEntry<'_>> = doc.entries().collect();
    let mut groups: Vec<String> = entries.iter().map(|e| normalize_group(e.group)).collect();
    groups.dedup();
    for g in groups {
        if registry.find(&g, "admin_user").is_none() {
            continue;
        }
        let find =
            |k: &str| entries.iter().rev().find(|e| normalize_group(e.group) == g && e.key.replace('-', "_") == k);
        let (Some(user), Some(password)) = (find("admin_user"), find("admin_password")) else { continue };
        if find("auth_type").is_some() || find("auth_plugin").is_some() {
            continue;
        }
        let Some(uri) = find("identity_uri") else {
            changes.push(format!("[{g}] has admin_user/admin_password but no identity_uri: not converted"));
            continue;
        };
        let rename = |e: &IniEntry<'_>, k: &str| rename_key(doc.lines()[e.first_line].text(), e, k);
        let mut first_block = vec!["auth_type = password".to_owned(), rename(uri, "auth_url")];
        edits.replace.insert(uri.first_line, vec![]);
        edits.delete.push(uri.first_line);
        first_block.push(rename(user, "username"));
        edits.replace.insert(user.first_line, first_block);
        edits.replace.insert(password.first_line, vec![rename(password, "password")]);
        let mut tail = vec!["user_domain_id = default".to_owned()];
        let last_line = if let Some(t) = find("admin_tenant_name") {
            edits.replace.insert(t.first_line, vec![rename(t, "project_name")]);
            tail.push("project_domain_id = default".to_owned());
            t.first_line + t.line_count - 1
        } else {
            password.first_line + password.line_count - 1
        };
        edits.insert_after.push((last_line.max(user.first_line), tail));
        changes.push(format!(
            "[{g}]: legacy admin_user/admin_password/admin_tenant_name and identity_uri -> auth_type = password \
             with auth_url, username, password, project_name, user_domain_id and project_domain_id"
        ));
    }
    edits
}

fn pass(text: String, path: &Path, f: impl Fn(&IniDocument) -> Edits) -> Result<String, Vec<Diagnostic>> {
    let doc = parse(&text, path)?;
    let edits = f(&doc);
    if edits.is_empty() {
        return Ok(text);
    }
    let mut lines = Lines::of(&doc);
    edits.apply(&mut lines);
    Ok(lines.text())
}

/// Migrates an INI file's text.
pub fn migrate_ini(text: &str, path: &Path, registry: &Registry) -> Result<Migration, Vec<Diagnostic>> {
    let changes = std::cell::RefCell::new(Vec::new());
    let t = pass(text.to_owned(), path, |d| renames(d, registry, &mut changes.borrow_mut()))?;
    let t = pass(t, path, |d| compounds(d, registry, &mut changes.borrow_mut()))?;
    let t = pass(t, path, |d| legacy_admin(d, registry, &mut changes.borrow_mut()))?;
    let doc = parse(&t, path)?;
    let mut manual = Vec::new();
    for e in doc.entries() {
        if let Some(o) = registry.find(e.group, e.key) {
            if let Some(r) = o.removal() {
                let why = r.reason.as_deref().unwrap_or("deprecated for removal");
                manual.push(format!("line {}: [{}] {} is deprecated for removal: {why}", e.line, e.group, e.key));
            }
        }
    }
    Ok(Migration { original: text.to_owned(), migrated: t, changes: changes.into_inner(), manual })
}

/// A unified diff of a migration.
pub fn diff(m: &Migration, path: &Path) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(&m.original, &m.migrated)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// A value as TOML: native where the option's type says so and the text
/// reads as that type, else a string (which the loader reads with the INI
/// rules, so the meaning is the same).
fn toml_value(registry: &Registry, group: &str, key: &str, values: &[String]) -> String {
    let opt = registry.find(group, key);
    if opt.is_some_and(|o| o.is_multi()) || values.len() > 1 {
        let items: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
        return format!("[{}]", items.join(", "));
    }
    let v = values.first().map(String::as_str).unwrap_or("");
    use crate::opt::OptType;
    let native = match opt.map(|o| o.opt_type()) {
        Some(OptType::Integer(_) | OptType::Port(_)) => v.trim().parse::<i64>().ok().map(|i| i.to_string()),
        Some(OptType::Boolean) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" => Some("true".into()),
            "false" | "0" | "off" | "no" => Some("false".into()),
            _ => None,
        },
        Some(OptType::Float(_)) => v.trim().parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| format!("{f:?}")),
        _ => None,
    };
    native.unwrap_or_else(|| toml_string(v))
}

/// The INI file as TOML: groups as tables (a repeated group's later lines
/// join its first table), values typed where the schema says, repeated keys
/// as arrays, every comment kept (`;` comments become `#`).
pub fn to_toml(text: &str, path: &Path, registry: &Registry) -> Result<String, Vec<Diagnostic>> {
    let doc = parse(text, path)?;
    // Values of repeated keys, per group.
    let mut values: HashMap<(String, String), Vec<String>> = HashMap::new();
    for e in doc.entries() {
        values.entry((normalize_group(e.group), e.key.to_owned())).or_default().push(e.value.clone());
    }
    let mut preamble: Vec<String> = Vec::new();
    let mut blocks: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut written: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let mut last_group = String::new();
    for l in doc.lines() {
        let line = match l.kind() {
            LineKind::Blank => Some(String::new()),
            // TOML comments may not hold control characters; INI ones may.
            LineKind::Comment => Some(comment_safe(&format!("#{}", &l.text()[1..]))),
            LineKind::Section { name } => {
                let g = normalize_group(name);
                last_group = name.clone();
                current = Some(match blocks.iter().position(|(n, _, _)| *n == g) {
                    Some(i) => i,
                    None => {
                        blocks.push((g, name.clone(), Vec::new()));
                        blocks.len() - 1
                    }
                });
                None
            }
            LineKind::Entry { key, .. } => {
                let g = normalize_group(&last_group);
                if written.insert((g.clone(), key.clone())) {
                    let vals = values.get(&(g.clone(), key.clone())).cloned().unwrap_or_default();
                    Some(format!(
                        "{} = {}",
                        toml_key(key),
                        toml_value(registry, if g == DEFAULT_GROUP { DEFAULT_GROUP } else { &g }, key, &vals)
                    ))
                } else {
                    None
                }
            }
            LineKind::Continuation { .. } | LineKind::Invalid => None,
        };
        if let Some(line) = line {
            match current {
                Some(i) => blocks[i].2.push(line),
                None => preamble.push(line),
            }
        }
    }
    let mut out = preamble.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    for (_, name, lines) in blocks {
        out.push_str(&format!("[{}]\n", toml_key(&name)));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Writes `contents` to `path` so that a crash leaves the old file or the
/// new one, never half of one: a temporary file in the same directory,
/// with the old file's mode (and owner, where allowed), synced, then
/// renamed over it.
pub fn write_in_place(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.stackauth-{}", std::process::id()));
    let meta = std::fs::metadata(path)?;
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(contents.as_bytes())?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keeping the owner needs privileges; without them the file is
            // the migrating user's, which is what writing it means anyway.
            let _ = std::os::unix::fs::chown(&tmp, Some(meta.uid()), Some(meta.gid()));
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
