//! The last steps of a load: interpolate each picked value, type it, check
//! required options, and fill the snapshot.

use std::collections::HashMap;

use super::build::Build;
use super::interpolate::{Piece, has_template, pieces};
use super::layers::{Rank, normalize_key};
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

/// Why a value could not be interpolated.
#[derive(Clone, Debug)]
pub(super) enum InterpError {
    /// A reference names no option (the message names the reference: it
    /// must not be shown for a secret's own text).
    Unresolved(String),
    /// References refer to each other in a loop.
    Cycle(String),
    /// Too deep, too large, or a referenced value that does not type.
    Other(String),
}

/// A slot's text for substitution, and whether it carries a secret.
type Text = Result<(String, bool), InterpError>;

/// Whether any string in `raw` holds a `$reference`.
fn has_reference(raw: &RawValue) -> bool {
    match raw {
        RawValue::Str(s) => has_template(s) && pieces(s).iter().any(|p| matches!(p, Piece::Ref(_))),
        RawValue::Array(items) => items.iter().any(has_reference),
        RawValue::Table(entries) => entries.iter().any(|(k, v)| {
            (has_template(k) && pieces(k).iter().any(|p| matches!(p, Piece::Ref(_)))) || has_reference(v)
        }),
        _ => false,
    }
}

/// Whether any of the picked values came from a secret store: such a
/// value is a secret whatever its option is declared as.
fn from_secret_store(p: &super::build::Pick) -> bool {
    p.items.iter().any(|(_, o)| matches!(o, Origin::SecretStore { .. }))
}

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

impl Build<'_> {
    /// Interpolates and types every picked value into `snapshot`.
    pub(super) fn finish(&mut self, snapshot: &mut Snapshot) {
        let mut interp = Interp::default();
        snapshot.groups.reserve(self.plan.groups);
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
            snapshot.insert_normalized(
                &self.plan.group[i],
                slot.group,
                slot.opt.dest(),
                resolved,
                self.plan.group_len[i],
            );
        }
        for (path, group, option) in secret_files {
            self.warn_if_world_readable(&path, &group, &option);
        }
    }

    /// Warns, as ssh does for keys, when a file that holds a secret can be
    /// read by every user. (Readable by a group is the usual deployment:
    /// `root:glance 0640`.) The mode is the one seen when the file was read.
    fn warn_if_world_readable(&mut self, path: &std::sync::Arc<std::path::Path>, group: &str, option: &str) {
        let mode = self.inputs.layers().find(|l| l.file.as_deref() == Some(&**path)).and_then(|l| l.mode);
        let Some(mode) = mode.filter(|m| m & 0o004 != 0) else { return };
        let loc = crate::source::Location { path: path.clone(), line: 0, column: 0 };
        self.diags.push(
            Diagnostic::warning(
                Code::InsecureFile,
                format!("the file holds a secret ([{group}] {option}) and every user can read it (mode {mode:04o})"),
            )
            .at(Origin::File(loc))
            .suggest(format!("chmod o-r {} (0640 with the service's group, or 0600)", path.display())),
        );
    }

    fn resolve_slot(&mut self, i: usize, interp: &mut Interp) -> Resolved {
        let (group, opt) = (self.slots[i].group, self.slots[i].opt);
        let Some(pick) = self.slots[i].pick.clone() else {
            if opt.is_required() {
                self.missing_required(group, opt.dest());
            }
            return Resolved {
                // oslo.config reads an unset multi-valued option as [].
                value: opt.is_multi().then(|| Value::List(Vec::new())),
                origin: Origin::Default,
                deprecated: None,
                compound: Vec::new(),
                secret: opt.is_secret(),
            };
        };
        if pick.rank == Rank::Default {
            if let Some(v) = &self.plan.default_value[i] {
                // Typed once per registry: what the steps below would give.
                return Resolved {
                    value: Some(v.clone()),
                    origin: Origin::Default,
                    deprecated: None,
                    compound: Vec::new(),
                    secret: opt.is_secret(),
                };
            }
        }
        let origin = pick.items.last().map_or(Origin::Default, |(_, o)| o.clone());
        let mut tainted = false;
        let mut items = Vec::with_capacity(pick.items.len());
        // On the stack while its own references resolve, so `a = $a` and
        // longer loops through it are caught and named from it.
        interp.stack.push(i);
        for (raw, item_origin) in &pick.items {
            if opt.is_literal() {
                items.push((raw.clone(), item_origin.clone()));
                continue;
            }
            match self.interp_raw(raw, group, interp) {
                Ok((r, t)) => {
                    tainted |= t;
                    if opt.is_secret() && has_reference(raw) && pick.rank > Rank::Default {
                        self.diags.push(
                            Diagnostic::warning(
                                Code::InterpolatedSecret,
                                "oslo.config substitutes the \"$\" reference in this secret with another \
                                 option's value",
                            )
                            .at(item_origin.clone())
                            .option(group, opt.dest())
                            .suggest("write $$ for a literal $ if none was meant"),
                        );
                    }
                    items.push((r, item_origin.clone()));
                }
                Err(e) => {
                    let (code, msg) = match e {
                        InterpError::Cycle(m) => (Code::InterpolationCycle, m),
                        InterpError::Other(m) => (Code::Interpolation, m),
                        // The reference is part of the secret's text.
                        InterpError::Unresolved(_) if opt.is_secret() => (
                            Code::Interpolation,
                            "the secret holds a \"$\" reference that names no option: oslo.config fails when \
                             the service reads it"
                                .to_owned(),
                        ),
                        InterpError::Unresolved(m) => (Code::Interpolation, m),
                    };
                    let at =
                        if opt.is_secret() { item_origin.clone() } else { self.at_reference(raw, group, item_origin) };
                    let mut d = Diagnostic::error(code, msg).at(at).option(group, opt.dest());
                    if opt.is_secret() && code == Code::Interpolation {
                        d = d.suggest("write $$ for a literal $");
                    }
                    self.diags.push(d);
                }
            }
        }
        interp.stack.pop();
        let tainted = tainted || from_secret_store(&pick);
        let secret = opt.is_secret() || tainted;
        let failed = items.len() != pick.items.len();
        let value = if failed { None } else { self.type_items(group, opt, &items, secret) };
        if value.is_none() && !failed && opt.is_required() {
            self.missing_required(group, opt.dest());
        }
        let value = if tainted { value.map(Value::into_secret) } else { value };
        Resolved { value, origin, deprecated: pick.deprecated.clone(), compound: pick.compound.clone(), secret }
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

    /// Where the first reference of a one-line INI value that names no
    /// option stands (the value's own place when the failure is further
    /// down a chain, or the value spans lines or comes from TOML).
    fn at_reference(&self, raw: &RawValue, group: &str, origin: &Origin) -> Origin {
        let (RawValue::Str(text), Origin::File(loc)) = (raw, origin) else { return origin.clone() };
        if text.contains('\n') || loc.line == 0 || crate::source::Format::of(&loc.path) != crate::source::Format::Ini {
            return origin.clone();
        }
        let mut offset = 0;
        for piece in pieces(text) {
            let len = match piece {
                Piece::Text(t) => t.len(),
                Piece::Dollar => 2,
                Piece::Ref(name) => {
                    if self.lookup(name, group).is_err() {
                        let mut at = loc.clone();
                        at.column += text[..offset].chars().count() as u32;
                        return Origin::File(at);
                    }
                    name.len() + if text[offset..].starts_with("${") { 3 } else { 1 }
                }
            };
            offset += len;
        }
        origin.clone()
    }

    /// Substitutes `$references` in every string inside `raw`.
    fn interp_raw(&self, raw: &RawValue, group: &str, interp: &mut Interp) -> Result<(RawValue, bool), InterpError> {
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
                    let slot = self.lookup(name, group)?;
                    let (t, s) = self.slot_text(slot, interp)?;
                    interp.budget = interp.budget.checked_sub(t.len()).ok_or_else(|| {
                        InterpError::Other(format!(
                            "interpolation makes more than {} MiB of text (references that repeat references \
                             multiply: \"$a$a\" doubles what $a holds)",
                            MAX_SUBSTITUTED >> 20
                        ))
                    })?;
                    secret |= s;
                    out.push_str(&t);
                }
            }
        }
        Ok((out, secret))
    }

    /// oslo.config's lookup (`StrSubWrapper`): `group.opt` for a dotted
    /// name, where the group must be registered and must not be `DEFAULT`
    /// (oslo.config raises NoSuchGroupError for both); else the same group.
    /// Then the whole name in `[DEFAULT]`.
    fn lookup(&self, name: &str, group: &str) -> Result<usize, InterpError> {
        let key = |g: &str, o: &str| (normalize_group(g), normalize_key(o));
        let first = match name.split_once('.') {
            Some((g, o)) => {
                if g == DEFAULT_GROUP
                    || !self.registry.groups().any(|x| normalize_group(x.name()) == normalize_group(g))
                {
                    let hint = if g == DEFAULT_GROUP { format!(" (write ${o})") } else { String::new() };
                    return Err(InterpError::Unresolved(format!(
                        "\"${{{name}}}\" names group [{g}], which a reference cannot name: oslo.config fails \
                         (no such group) when the service reads this option{hint}"
                    )));
                }
                key(g, o)
            }
            None => key(group, name),
        };
        self.plan.by_name.get(&first).or_else(|| self.plan.by_name.get(&key(DEFAULT_GROUP, name))).copied().ok_or_else(
            || {
                InterpError::Unresolved(format!(
                    "\"${name}\" refers to no registered option (looked in [{group}] and [{DEFAULT_GROUP}]): \
                 oslo.config fails when the service reads this option"
                ))
            },
        )
    }

    /// The text a reference to `slot` substitutes, as oslo.config makes it:
    /// the option's value interpolated, typed, and written as Python's
    /// `str()` writes it (`True`, `['a', 'b']`); an unset option gives "".
    fn slot_text(&self, slot: usize, interp: &mut Interp) -> Text {
        if let Some(done) = interp.memo.get(&slot) {
            return done.clone();
        }
        if interp.stack.len() >= MAX_DEPTH {
            return Err(InterpError::Other(format!(
                "interpolation nested too deeply (more than {MAX_DEPTH} levels, reaching {})",
                self.slot_label(slot)
            )));
        }
        if let Some(pos) = interp.stack.iter().position(|s| *s == slot) {
            let mut chain: Vec<String> = interp.stack[pos..].iter().map(|s| self.slot_label(*s)).collect();
            chain.push(self.slot_label(slot));
            return Err(InterpError::Cycle(format!("cycle in interpolation: {}", chain.join(" -> "))));
        }
        interp.stack.push(slot);
        let s = &self.slots[slot];
        let result = match &s.pick {
            None => Ok((String::new(), s.opt.is_secret())),
            Some(p) => self.referenced_text(slot, p, interp),
        };
        interp.stack.pop();
        interp.memo.insert(slot, result.clone());
        result
    }

    /// [`slot_text`](Self::slot_text) for a slot with a value.
    fn referenced_text(&self, slot: usize, p: &super::build::Pick, interp: &mut Interp) -> Text {
        let s = &self.slots[slot];
        let mut secret = s.opt.is_secret() || from_secret_store(p);
        let mut items = Vec::with_capacity(p.items.len());
        for (raw, _) in &p.items {
            let r = if s.opt.is_literal() { Ok((raw.clone(), false)) } else { self.interp_raw(raw, s.group, interp) };
            match r {
                Ok((r, t)) => {
                    secret |= t;
                    items.push(r);
                }
                // A secret's own unresolved reference is part of its text.
                Err(InterpError::Unresolved(_)) if s.opt.is_secret() => {
                    return Err(InterpError::Unresolved(format!(
                        "{} is referenced, and holds a reference that names no option",
                        self.slot_label(slot)
                    )));
                }
                Err(e) => return Err(e),
            }
        }
        let typed = if s.opt.is_multi() {
            let mut out = Vec::new();
            for item in &items {
                let parts: Vec<&RawValue> = match item {
                    RawValue::Array(a) => a.iter().collect(),
                    one => vec![one],
                };
                for part in parts {
                    match s.opt.opt_type().parse(part) {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => {}
                        Err(why) => return Err(self.untyped(slot, why)),
                    }
                }
            }
            Some(Value::List(out))
        } else {
            match items.last().map(|raw| s.opt.parse(raw)) {
                None => None,
                Some(Ok(v)) => v,
                Some(Err(why)) => return Err(self.untyped(slot, why)),
            }
        };
        Ok((typed.as_ref().map(python_str).unwrap_or_default(), secret))
    }

    fn untyped(&self, slot: usize, why: String) -> InterpError {
        let why = if self.slots[slot].opt.is_secret() { "its value does not type".to_owned() } else { why };
        InterpError::Other(format!("{} is referenced, and cannot be read: {why}", self.slot_label(slot)))
    }

    fn slot_label(&self, slot: usize) -> String {
        let s = &self.slots[slot];
        format!("[{}] {}", s.group, s.opt.dest())
    }
}

/// A typed value as Python's `str()` writes it, which is what oslo.config
/// substitutes for a reference (`True`, `5`, `1.0`, `['a', 'b']`,
/// `{'k': 'v'}`).
fn python_str(v: &Value) -> String {
    fn repr(v: &Value) -> String {
        match v {
            Value::Str(_) | Value::Secret(_) => {
                let s = v.as_str().unwrap_or_default();
                if s.contains('\'') && !s.contains('"') {
                    format!("\"{s}\"")
                } else {
                    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
                }
            }
            other => python_str(other),
        }
    }
    match v {
        Value::Str(_) | Value::Secret(_) => v.as_str().unwrap_or_default().to_owned(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => python_float(*f),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::List(items) => format!("[{}]", items.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Dict(d) => {
            format!("{{{}}}", d.iter().map(|(k, x)| format!("'{k}': {}", repr(x))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// A float as Python's `repr` writes it (`1.0`, `0.1`, `1e+20`, `inf`).
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    format!("{f:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Python's `str()` gives, checked with python3 for each case.
    #[test]
    fn references_substitute_python_s_str() {
        let list = Value::List(vec![Value::Str("a".into()), Value::Str("it's".into())]);
        let cases = [
            (Value::Bool(true), "True"),
            (Value::Bool(false), "False"),
            (Value::Int(-5), "-5"),
            (Value::Float(1.0), "1.0"),
            (Value::Float(0.1), "0.1"),
            (Value::Float(1e16), "1e+16"),
            (Value::Float(1.5e-5), "1.5e-05"),
            (Value::Float(123456.5), "123456.5"),
            (list, "['a', \"it's\"]"),
            (Value::Str("x y".into()), "x y"),
        ];
        for (v, want) in cases {
            assert_eq!(python_str(&v), want, "{v:?}");
        }
    }
}
