//! The last steps of a load: interpolate each picked value, type it, check
//! required options, and fill the snapshot.

use std::collections::HashMap;

use super::build::Build;
use super::interpolate::{Piece, has_template, pieces};
use super::layers::normalize_key;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{DEFAULT_GROUP, MASK, RawValue, Value, normalize_group};
use crate::snapshot::{Resolved, Snapshot};
use crate::source::{Env, Origin};

/// How deep `$references` may nest: far beyond any real configuration, and
/// well within a small thread stack (a chain of thousands would overflow it).
const MAX_DEPTH: usize = 64;

/// How many bytes `$references` may substitute in one load, in all. A few
/// options that each repeat the one before (`b = $a$a$a$a`, `c = $b$b$b$b`
/// ...) multiply: ten such lines would make gigabytes.
pub(crate) const MAX_SUBSTITUTED: usize = 16 << 20;

/// A slot's text for substitution, and whether it carries a secret.
type Text = Result<(String, bool), String>;

/// Memo, cycle stack and what is left of the size budget for one load's
/// interpolation.
struct Interp {
    memo: HashMap<usize, Text>,
    stack: Vec<usize>,
    budget: usize,
}

impl Default for Interp {
    fn default() -> Interp {
        Interp { memo: HashMap::new(), stack: Vec::new(), budget: MAX_SUBSTITUTED }
    }
}

impl Build<'_, '_> {
    /// Interpolates and types every picked value into `snapshot`.
    pub(super) fn finish(&mut self, snapshot: &mut Snapshot) {
        let mut interp = Interp::default();
        let mut secret_files: Vec<(std::sync::Arc<std::path::Path>, String, String)> = Vec::new();
        for i in 0..self.slots.len() {
            let resolved = self.resolve_slot(i, &mut interp);
            let slot = &self.slots[i];
            if self.slots[i].opt.is_secret() {
                if let Some(p) = &self.slots[i].pick {
                    for (_, o) in &p.items {
                        if let Origin::File(loc) = o {
                            if !secret_files.iter().any(|(f, _, _)| *f == loc.path) {
                                secret_files.push((
                                    loc.path.clone(),
                                    slot.group.to_owned(),
                                    slot.opt.dest().to_owned(),
                                ));
                            }
                        }
                    }
                }
            }
            snapshot.insert(slot.group, slot.opt.dest(), resolved);
        }
        for (path, group, option) in secret_files {
            self.warn_if_world_readable(&path, &group, &option);
        }
    }

    /// Warns, as ssh does for keys, when a file that holds a secret can be
    /// read by every user. (Readable by a group is the usual deployment:
    /// `root:glance 0640`.)
    #[cfg(unix)]
    fn warn_if_world_readable(&mut self, path: &std::sync::Arc<std::path::Path>, group: &str, option: &str) {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else { return };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o004 != 0 {
            let loc = crate::source::Location { path: path.clone(), line: 0, column: 0 };
            self.diags.push(
                Diagnostic::warning(
                    Code::InsecureFile,
                    format!(
                        "the file holds a secret ([{group}] {option}) and every user can read it (mode {mode:04o})"
                    ),
                )
                .at(Origin::File(loc))
                .suggest(format!("chmod o-r {} (0640 with the service's group, or 0600)", path.display())),
            );
        }
    }

    #[cfg(not(unix))]
    fn warn_if_world_readable(&mut self, _path: &std::sync::Arc<std::path::Path>, _group: &str, _option: &str) {}

    fn resolve_slot(&mut self, i: usize, interp: &mut Interp) -> Resolved {
        let (group, opt) = (self.slots[i].group, self.slots[i].opt);
        let Some(pick) = self.slots[i].pick.clone() else {
            if opt.is_required() {
                self.missing_required(group, opt.dest());
            }
            return Resolved {
                value: None,
                origin: Origin::Default,
                deprecated: None,
                compound: Vec::new(),
                secret: opt.is_secret(),
            };
        };
        let origin = pick.items.last().map_or(Origin::Default, |(_, o)| o.clone());
        let mut tainted = false;
        let mut items = Vec::with_capacity(pick.items.len());
        // On the stack while its own references resolve, so `a = $a` and
        // longer loops through it are caught and named from it.
        interp.stack.push(i);
        for (raw, item_origin) in &pick.items {
            if opt.is_secret() {
                items.push((raw.clone(), item_origin.clone()));
                continue;
            }
            match self.interp_raw(raw, group, interp) {
                Ok((r, t)) => {
                    tainted |= t;
                    items.push((r, item_origin.clone()));
                }
                Err(msg) => {
                    let code = if msg.starts_with("cycle") { Code::InterpolationCycle } else { Code::Interpolation };
                    self.diags.push(Diagnostic::error(code, msg).at(item_origin.clone()).option(group, opt.dest()));
                }
            }
        }
        interp.stack.pop();
        let secret = opt.is_secret() || tainted;
        let failed = items.len() != pick.items.len();
        let value = if failed { None } else { self.type_items(group, opt, &items, secret) };
        if value.is_none() && !failed && opt.is_required() {
            self.missing_required(group, opt.dest());
        }
        let value = if tainted { value.map(Value::into_secret) } else { value };
        Resolved { value, origin, deprecated: pick.deprecated, compound: pick.compound, secret }
    }

    /// Types the picked items: one value, or a list for multi-valued options
    /// (a TOML array counts as several items). Errors are reported at each
    /// item's own position.
    fn type_items(
        &mut self,
        group: &str,
        opt: &crate::opt::Opt,
        items: &[(RawValue, Origin)],
        secret: bool,
    ) -> Option<Value> {
        let report = |diags: &mut Vec<Diagnostic>, raw: &RawValue, origin: &Origin, why: String| {
            let found = if secret { MASK.to_owned() } else { format!("{:?}", raw.display_text()) };
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("invalid {}: {why} (found {found})", opt.type_name()))
                    .at(origin.clone())
                    .option(group, opt.dest()),
            );
        };
        if !opt.is_multi() {
            let (raw, origin) = items.last()?;
            return match opt.parse(raw) {
                Ok(v) => v,
                Err(why) => {
                    report(&mut self.diags, raw, origin, why);
                    None
                }
            };
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (raw, origin) in items {
            let parts: Vec<&RawValue> = match raw {
                RawValue::Array(a) => a.iter().collect(),
                one => vec![one],
            };
            for part in parts {
                match opt.opt_type().parse(part) {
                    Ok(Some(v)) => out.push(if opt.is_secret() { v.into_secret() } else { v }),
                    Ok(None) => {}
                    Err(why) => {
                        ok = false;
                        report(&mut self.diags, part, origin, why);
                    }
                }
            }
        }
        ok.then_some(Value::List(out))
    }

    fn missing_required(&mut self, group: &str, dest: &str) {
        let place = match self.loader.paths.last() {
            Some(super::ConfigPath::File(f)) => format!("set it under [{group}] in {}", f.display()),
            Some(super::ConfigPath::Dir(d)) => format!("set it under [{group}] in a file of {}", d.display()),
            None => format!("set it under [{group}] in a config file, or as {}", Env::var_name(group, dest)),
        };
        self.diags.push(
            Diagnostic::error(Code::MissingRequired, "required option has no value").option(group, dest).suggest(place),
        );
    }

    /// Substitutes `$references` in every string inside `raw`.
    fn interp_raw(&self, raw: &RawValue, group: &str, interp: &mut Interp) -> Result<(RawValue, bool), String> {
        Ok(match raw {
            RawValue::Str(s) => {
                let (t, secret) = self.interp_str(s, group, interp)?;
                (RawValue::Str(t), secret)
            }
            RawValue::Array(items) => {
                let mut secret = false;
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let (r, s) = self.interp_raw(item, group, interp)?;
                    secret |= s;
                    out.push(r);
                }
                (RawValue::Array(out), secret)
            }
            RawValue::Table(entries) => {
                let mut secret = false;
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let (k2, s1) = self.interp_str(k, group, interp)?;
                    let (v2, s2) = self.interp_raw(v, group, interp)?;
                    secret |= s1 | s2;
                    out.push((k2, v2));
                }
                (RawValue::Table(out), secret)
            }
            other => (other.clone(), false),
        })
    }

    fn interp_str(&self, s: &str, group: &str, interp: &mut Interp) -> Text {
        if !has_template(s) {
            return Ok((s.to_owned(), false));
        }
        let mut out = String::with_capacity(s.len());
        let mut secret = false;
        for piece in pieces(s) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Dollar => out.push('$'),
                Piece::Ref(name) => {
                    let slot = self.lookup(name, group).ok_or_else(|| {
                        format!(
                            "\"${name}\" refers to no registered option (looked in [{group}] and [{DEFAULT_GROUP}])"
                        )
                    })?;
                    let (t, s) = self.slot_text(slot, interp)?;
                    interp.budget = interp.budget.checked_sub(t.len()).ok_or_else(|| {
                        format!(
                            "interpolation makes more than {} MiB of text (references that repeat references \
                             multiply: \"$a$a\" doubles what $a holds)",
                            MAX_SUBSTITUTED >> 20
                        )
                    })?;
                    secret |= s;
                    out.push_str(&t);
                }
            }
        }
        Ok((out, secret))
    }

    /// oslo.config's lookup: `group.opt` first for a dotted name, else the
    /// same group; then the whole name in `[DEFAULT]`.
    fn lookup(&self, name: &str, group: &str) -> Option<usize> {
        let key = |g: &str, o: &str| (normalize_group(g), normalize_key(o));
        let first = match name.split_once('.') {
            Some((g, o)) => key(g, o),
            None => key(group, name),
        };
        self.by_name.get(&first).or_else(|| self.by_name.get(&key(DEFAULT_GROUP, name))).copied()
    }

    /// The text a reference to `slot` substitutes: its own value,
    /// interpolated (secrets literally), items joined with `,`.
    fn slot_text(&self, slot: usize, interp: &mut Interp) -> Text {
        if let Some(done) = interp.memo.get(&slot) {
            return done.clone();
        }
        if interp.stack.len() >= MAX_DEPTH {
            return Err(format!(
                "interpolation nested too deeply (more than {MAX_DEPTH} levels, reaching {})",
                self.slot_label(slot)
            ));
        }
        if let Some(pos) = interp.stack.iter().position(|s| *s == slot) {
            let mut chain: Vec<String> = interp.stack[pos..].iter().map(|s| self.slot_label(*s)).collect();
            chain.push(self.slot_label(slot));
            return Err(format!("cycle in interpolation: {}", chain.join(" -> ")));
        }
        interp.stack.push(slot);
        let s = &self.slots[slot];
        let result = match &s.pick {
            None => Ok((String::new(), s.opt.is_secret())),
            Some(p) => {
                let mut parts = Vec::new();
                let mut secret = s.opt.is_secret();
                let mut err = None;
                for (raw, _) in &p.items {
                    let r =
                        if s.opt.is_secret() { Ok((raw.clone(), true)) } else { self.interp_raw(raw, s.group, interp) };
                    match r {
                        Ok((r, t)) => {
                            secret |= t;
                            parts.push(flat_text(&r));
                        }
                        Err(e) => {
                            err = Some(e);
                            break;
                        }
                    }
                }
                match err {
                    Some(e) => Err(e),
                    None => Ok((parts.join(","), secret)),
                }
            }
        };
        interp.stack.pop();
        interp.memo.insert(slot, result.clone());
        result
    }

    fn slot_label(&self, slot: usize) -> String {
        let s = &self.slots[slot];
        format!("[{}] {}", s.group, s.opt.dest())
    }
}

/// A raw value as one line of text: arrays joined with `,`, tables as
/// `k:v` pairs.
fn flat_text(raw: &RawValue) -> String {
    match raw {
        RawValue::Array(items) => items.iter().map(flat_text).collect::<Vec<_>>().join(","),
        RawValue::Table(entries) => {
            entries.iter().map(|(k, v)| format!("{k}:{}", flat_text(v))).collect::<Vec<_>>().join(",")
        }
        other => other.scalar_text().unwrap_or_default(),
    }
}
