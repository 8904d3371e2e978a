//! Reading `oslo-config-generator --format yaml|json` output into a registry.
//!
//! Any OpenStack service can describe its options with
//! `oslo-config-generator --namespace ... --format yaml` (or `json`); this
//! module turns that file into a [`Registry`], so stackauth can load, check
//! and explain that service's config files without a hand-written schema.
//!
//! The file has three top-level keys: `options` (group name -> `{help,
//! opts: [...]}`), `deprecated_options` (old group -> `[{name,
//! replacement_group, replacement_name}]`) and `generator_options` (how the
//! generator was run, with its `namespace` list). Each option maps as
//! follows:
//!
//! - `type`: `string value`, `integer value`, `floating point value`,
//!   `boolean value`, `port value`, `list value`, `dict value`,
//!   `IP address value`, `host address value`, `host domain value`,
//!   `hostname value`, `uri value`; `multi valued` is a multi-valued string
//!   option. Any other type name (a project's own type, `range value`) is
//!   read as a string, with a warning.
//! - `min`/`max` become the bounds of an integer, float or port, `choices`
//!   (`[value, description]` pairs, or bare values) the choices of a string
//!   or a number; a `null` choice is dropped (an unset option is always
//!   allowed). A string default that matches a choice only without regard
//!   to case shows that the type ignored case (oslo.config checks defaults
//!   when options are declared), and the imported type does too.
//! - `default` and `sample_default` are Python values; they become
//!   config-file text: booleans `true`/`false`, lists joined with `,`,
//!   dicts as `key:value,...`, `null` as no default. A multi-valued
//!   option's list default is kept when it has at most one value (an
//!   option declares one default value); a longer one is dropped with a
//!   warning. A default the type rejects (a host name computed where the
//!   generator ran, say) is dropped with a warning, unless it contains `$`
//!   (interpolated when loading).
//! - `deprecated_opts` become deprecated names (the option's own group or
//!   name is left out), `deprecated_for_removal` with `deprecated_reason` and
//!   `deprecated_since` a removal notice; `secret`, `required`, `mutable`,
//!   `advanced` and `help` carry over.
//! - `positional`, `short` and `metavar` concern the command line only and
//!   are not kept.
//!
//! The generator writes only the type's name and bounds, so what a type
//! checks beyond them is lost in the file and not checked after import: a
//! string's `regex`, `max_length`, `ignore_case` (unless the default shows
//! it) and `quotes`, a list's item type, a dict's value type, a URI's
//! schemes, an IP address's version, a multi-valued option's item type.
//!
//! YAML is read as PyYAML (which wrote it) reads it: YAML 1.1 scalars, so
//! `yes` is a boolean and an unquoted `1e3` a string. JSON is read with
//! `serde_json`, which refuses the `NaN` and `Infinity` Python's `json`
//! writes for such floats; JSON diagnostics carry positions only for syntax
//! errors (the generator writes JSON on one line anyway).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{DeprecatedName, NumberType, Opt, OptType, Registry, RegistryError, normalize_group};
use crate::source::yaml::{self, Node, NodeValue};
use crate::source::{Location, Origin};

/// Everything an opt-data file says, beyond the registry itself.
#[derive(Clone, Debug, PartialEq)]
pub struct OptData {
    /// Every group and option.
    pub registry: Registry,
    /// The namespaces the generator was run with (`generator_options`), or
    /// failing that the options' own `namespace`s, in order of appearance.
    pub namespaces: Vec<String>,
    /// The file's `deprecated_options`: each old name and where it went.
    pub deprecated_options: Vec<DeprecatedOption>,
    /// What was imported only in part (a default the type rejects, an
    /// unknown type name...), each naming its group and option.
    pub warnings: Vec<Diagnostic>,
    /// What the file says of each registered option that the registry
    /// does not keep, by (group as normalised, dest): what `generate`
    /// needs to write the option as oslo-config-generator does.
    pub entries: BTreeMap<(String, String), OptEntry>,
}

/// What an opt-data file says of one option beyond its registry entry.
#[derive(Clone, Debug, PartialEq)]
pub struct OptEntry {
    /// The namespace the option came from.
    pub namespace: Option<String>,
    /// The type name as written (`string value`, or a project's own).
    pub type_name: Option<String>,
    /// The default as the Python value the file holds (a multi-valued
    /// option's whole list, a default the type rejects included).
    pub(crate) default: Option<Node>,
    /// The sample default, likewise.
    pub(crate) sample_default: Option<Node>,
    /// The bounds as the Python values the file holds (a float option's
    /// bound may be written as an integer, and is shown so).
    pub(crate) bounds: (Option<Node>, Option<Node>),
}

/// One entry of `deprecated_options`: an old option name and the option
/// that replaced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeprecatedOption {
    /// The old group.
    pub group: String,
    /// The old option name.
    pub name: String,
    /// The group of the option that replaced it.
    pub replacement_group: String,
    /// The name of the option that replaced it.
    pub replacement_name: String,
}

/// The two formats `oslo-config-generator` writes machine-readable data in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptDataFormat {
    /// `--format yaml`.
    Yaml,
    /// `--format json`.
    Json,
}

impl OptDataFormat {
    /// JSON if the first character other than white space (and a byte
    /// order mark) is `{`, YAML otherwise.
    pub fn detect(text: &str) -> OptDataFormat {
        if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
            OptDataFormat::Json
        } else {
            OptDataFormat::Yaml
        }
    }
}

/// Reads an opt-data file (YAML or JSON) into a registry. Warnings are
/// logged (`tracing`); [`read_data`] returns them instead.
pub fn read(path: &Path) -> Result<Registry, Vec<Diagnostic>> {
    read_data(path).map(log_warnings)
}

/// Parses opt-data text (YAML or JSON, see [`OptDataFormat::detect`]) into a
/// registry; `path` is for diagnostics. Warnings are logged (`tracing`);
/// [`parse_data`] returns them instead.
pub fn parse(text: &str, path: &Path) -> Result<Registry, Vec<Diagnostic>> {
    parse_data(text, path).map(log_warnings)
}

/// Reads an opt-data file with everything it says: the registry, the
/// namespaces, the deprecated options and the import's warnings.
///
/// Errors (an unreadable file, bad YAML or JSON, something not shaped as
/// generator output) are all returned at once, with the warnings found so
/// far, each at its line and column where known.
pub fn read_data(path: &Path) -> Result<OptData, Vec<Diagnostic>> {
    let text = crate::source::load_text(path)?;
    parse_data(&text, path)
}

/// Parses opt-data text with everything it says; see [`read_data`].
pub fn parse_data(text: &str, path: &Path) -> Result<OptData, Vec<Diagnostic>> {
    let root = parse_root(text, path)?;
    import(&root, path)
}

/// The document of opt-data text: JSON or YAML (see [`OptDataFormat::detect`]),
/// a byte order mark skipped.
pub(crate) fn parse_root(text: &str, path: &Path) -> Result<Node, Vec<Diagnostic>> {
    let at = |line, column| Origin::File(Location { path: Arc::from(path), line, column });
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(match OptDataFormat::detect(text) {
        OptDataFormat::Json => {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                let message = format!("invalid JSON: {e}");
                // serde_json appends " at line L column C"; the origin says it.
                let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
                vec![Diagnostic::error(Code::OptData, message).at(at(e.line() as u32, e.column() as u32))]
            })?;
            Node::from_json(value)
        }
        OptDataFormat::Yaml => yaml::parse(text).map_err(|e| {
            vec![Diagnostic::error(Code::OptData, format!("invalid YAML: {}", e.message)).at(at(e.line, e.column))]
        })?,
    })
}

/// The registry and the rest from a parsed opt-data document.
pub(crate) fn import(root: &Node, path: &Path) -> Result<OptData, Vec<Diagnostic>> {
    let mut importer = Importer {
        path: Arc::from(path),
        registry: Registry::new(),
        namespaces: Vec::new(),
        opt_namespaces: Vec::new(),
        deprecated_options: Vec::new(),
        diags: Vec::new(),
        entries: BTreeMap::new(),
    };
    importer.document(root);
    importer.finish()
}

fn log_warnings(data: OptData) -> Registry {
    for w in &data.warnings {
        tracing::warn!("{w}");
    }
    data.registry
}

/// The value of `key` in a mapping's entries.
fn field<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A Python value as config-file text: `None` for null.
fn config_text(node: &Node) -> Result<Option<String>, String> {
    let item = |n: &Node| match &n.value {
        NodeValue::Null => Ok(String::new()),
        NodeValue::Seq(_) | NodeValue::Map(_) => Err(format!("cannot write {} inside a list or dict", n.kind())),
        _ => Ok(n.key_text().unwrap_or_default()),
    };
    Ok(match &node.value {
        NodeValue::Null => None,
        NodeValue::Seq(items) => Some(items.iter().map(item).collect::<Result<Vec<_>, _>>()?.join(",")),
        NodeValue::Map(entries) => Some(
            entries.iter().map(|(k, v)| Ok(format!("{k}:{}", item(v)?))).collect::<Result<Vec<_>, String>>()?.join(","),
        ),
        _ => node.key_text(),
    })
}

/// The type for an oslo.config type name, and whether it is multi-valued.
fn base_type(type_name: &str) -> Option<(OptType, bool)> {
    Some(match type_name.trim().to_ascii_lowercase().as_str() {
        "string value" => (OptType::string(), false),
        "multi valued" => (OptType::string(), true),
        "boolean value" => (OptType::boolean(), false),
        "integer value" => (OptType::integer(), false),
        "floating point value" => (OptType::float(), false),
        // `types.Port`'s own default name is `port`; `PortOpt` says `port value`.
        "port value" | "port" => (OptType::port(), false),
        "list value" => (OptType::list(), false),
        "dict value" => (OptType::dict(), false),
        "ip address value" => (OptType::ip_address(), false),
        "host address value" => (OptType::host_address(), false),
        "host domain value" => (OptType::host_domain(), false),
        "hostname value" => (OptType::Hostname, false),
        "uri value" => (OptType::uri(), false),
        _ => return None,
    })
}

struct Importer {
    path: Arc<Path>,
    registry: Registry,
    namespaces: Vec<String>,
    opt_namespaces: Vec<String>,
    deprecated_options: Vec<DeprecatedOption>,
    diags: Vec<Diagnostic>,
    entries: BTreeMap<(String, String), OptEntry>,
}

/// Where a finding is: the group and, when known, the option.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    group: &'a str,
    option: Option<&'a str>,
}

impl Importer {
    fn origin(&self, node: &Node) -> Origin {
        Origin::File(Location { path: self.path.clone(), line: node.line, column: node.column })
    }

    fn report(&mut self, mut d: Diagnostic, node: &Node, ctx: Option<Ctx<'_>>) {
        d = d.at(self.origin(node));
        if let Some(c) = ctx {
            d = match c.option {
                Some(o) => d.option(c.group, o),
                None => d.group(c.group),
            };
        }
        self.diags.push(d);
    }

    fn error(&mut self, node: &Node, ctx: Option<Ctx<'_>>, message: String) {
        self.report(Diagnostic::error(Code::OptData, message), node, ctx);
    }

    fn warn(&mut self, node: &Node, ctx: Ctx<'_>, message: String) {
        self.report(Diagnostic::warning(Code::OptData, message), node, Some(ctx));
    }

    fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    fn finish(self) -> Result<OptData, Vec<Diagnostic>> {
        if self.errors() > 0 {
            return Err(self.diags);
        }
        let namespaces = if self.namespaces.is_empty() { self.opt_namespaces } else { self.namespaces };
        Ok(OptData {
            registry: self.registry,
            namespaces,
            deprecated_options: self.deprecated_options,
            warnings: self.diags,
            entries: self.entries,
        })
    }

    fn document(&mut self, root: &Node) {
        let NodeValue::Map(top) = &root.value else {
            let found = root.kind();
            return self.error(root, None, format!("expected oslo-config-generator output (a mapping), found {found}"));
        };
        match field(top, "options") {
            None => self.error(
                root,
                None,
                "no \"options\": this is not `oslo-config-generator --format yaml|json` output".into(),
            ),
            Some(Node { value: NodeValue::Map(groups), .. }) => {
                for (name, group) in groups {
                    self.group(name, group);
                }
            }
            Some(other) => {
                let found = other.kind();
                self.error(other, None, format!("\"options\" should map group names to groups, found {found}"))
            }
        }
        if let Some(node) = field(top, "deprecated_options") {
            self.deprecated_options(node);
        }
        if let Some(node) = field(top, "generator_options") {
            self.generator_options(node);
        }
    }

    fn generator_options(&mut self, node: &Node) {
        let NodeValue::Map(entries) = &node.value else {
            if !node.is_null() {
                let found = node.kind();
                self.error(node, None, format!("\"generator_options\" should be a mapping, found {found}"));
            }
            return;
        };
        match field(entries, "namespace").map(|n| (n, &n.value)) {
            None | Some((_, NodeValue::Null)) => {}
            Some((_, NodeValue::Seq(items))) if items.iter().all(|i| matches!(i.value, NodeValue::Str(_))) => {
                self.namespaces = items.iter().filter_map(Node::key_text).collect();
            }
            Some((n, _)) => self.error(n, None, "\"namespace\" should be a list of namespace names".into()),
        }
    }

    fn deprecated_options(&mut self, node: &Node) {
        let groups = match &node.value {
            NodeValue::Null => return,
            NodeValue::Map(groups) => groups,
            _ => {
                let found = node.kind();
                return self.error(
                    node,
                    None,
                    format!("\"deprecated_options\" should map groups to lists, found {found}"),
                );
            }
        };
        for (group, list) in groups {
            let ctx = Some(Ctx { group, option: None });
            let NodeValue::Seq(items) = &list.value else {
                let found = list.kind();
                self.error(list, ctx, format!("deprecated options should be a list, found {found}"));
                continue;
            };
            for item in items {
                let strings = match &item.value {
                    NodeValue::Map(e) => ["name", "replacement_group", "replacement_name"].map(|k| match field(e, k) {
                        Some(Node { value: NodeValue::Str(s), .. }) => Some(s.clone()),
                        _ => None,
                    }),
                    _ => [None, None, None],
                };
                match strings {
                    [Some(name), Some(replacement_group), Some(replacement_name)] => self
                        .deprecated_options
                        .push(DeprecatedOption { group: group.clone(), name, replacement_group, replacement_name }),
                    _ => self.error(
                        item,
                        ctx,
                        "a deprecated option should have \"name\", \"replacement_group\" and \"replacement_name\" \
                         strings"
                            .into(),
                    ),
                }
            }
        }
    }

    fn group(&mut self, name: &str, node: &Node) {
        let ctx = Some(Ctx { group: name, option: None });
        let NodeValue::Map(entries) = &node.value else {
            let found = node.kind();
            return self.error(
                node,
                ctx,
                format!("a group should be a mapping with \"help\" and \"opts\", found {found}"),
            );
        };
        let help = match field(entries, "help") {
            None => String::new(),
            Some(n) => match &n.value {
                NodeValue::Null => String::new(),
                NodeValue::Str(s) => s.clone(),
                _ => {
                    let found = n.kind();
                    return self.error(n, ctx, format!("\"help\" should be a string, found {found}"));
                }
            },
        };
        self.registry.register_group(name, &help);
        match field(entries, "opts") {
            None => {}
            Some(Node { value: NodeValue::Null, .. }) => {}
            Some(Node { value: NodeValue::Seq(opts), .. }) => {
                for opt in opts {
                    self.opt(name, opt);
                }
            }
            Some(other) => {
                let found = other.kind();
                self.error(other, ctx, format!("\"opts\" should be a list of options, found {found}"))
            }
        }
    }

    /// A boolean field: absent or null is `false`.
    fn flag(&mut self, entries: &[(String, Node)], key: &str, ctx: Ctx<'_>) -> bool {
        match field(entries, key) {
            None => false,
            Some(n) => match n.value {
                NodeValue::Null => false,
                NodeValue::Bool(b) => b,
                _ => {
                    let found = n.kind();
                    self.error(n, Some(ctx), format!("\"{key}\" should be true or false, found {found}"));
                    false
                }
            },
        }
    }

    /// A text field: absent or null is `None`; numbers and booleans are
    /// taken as their text.
    fn text(&mut self, entries: &[(String, Node)], key: &str, ctx: Ctx<'_>) -> Option<String> {
        let n = field(entries, key)?;
        match &n.value {
            NodeValue::Null => None,
            NodeValue::Seq(_) | NodeValue::Map(_) => {
                let found = n.kind();
                self.error(n, Some(ctx), format!("\"{key}\" should be a string, found {found}"));
                None
            }
            _ => n.key_text(),
        }
    }

    fn opt(&mut self, group: &str, node: &Node) {
        let gctx = Ctx { group, option: None };
        let NodeValue::Map(e) = &node.value else {
            let found = node.kind();
            return self.error(node, Some(gctx), format!("an option should be a mapping, found {found}"));
        };
        let mut name = match field(e, "name") {
            Some(Node { value: NodeValue::Str(s), .. }) if !s.is_empty() => s.clone(),
            Some(n) => {
                let found = n.kind();
                return self.error(
                    n,
                    Some(gctx),
                    format!("an option's \"name\" should be a non-empty string, found {found}"),
                );
            }
            None => return self.error(node, Some(gctx), "an option without a \"name\"".into()),
        };
        let errors_before = self.errors();
        // oslo.config reads files by `dest`; an explicit dest that is not
        // the name with `_` for `-` is what files use.
        let declared = name.clone();
        if let Some(dest) = self.text(e, "dest", Ctx { group, option: Some(&declared) }) {
            if dest != declared.replace('-', "_") {
                let n = field(e, "dest").unwrap_or(node);
                self.warn(
                    n,
                    Ctx { group, option: Some(&declared) },
                    format!("dest {dest:?} differs from the name; registered as {dest:?}, as files spell it"),
                );
                name = dest;
            }
        }
        let ctx = Ctx { group, option: Some(&name) };
        let namespace = self.text(e, "namespace", ctx);
        if let Some(ns) = &namespace {
            if !self.opt_namespaces.contains(ns) {
                self.opt_namespaces.push(ns.clone());
            }
        }
        let entry = OptEntry {
            namespace,
            type_name: field(e, "type").and_then(Node::key_text),
            default: field(e, "default").cloned(),
            sample_default: field(e, "sample_default").cloned(),
            bounds: (field(e, "min").cloned(), field(e, "max").cloned()),
        };

        let (mut opt_type, multi) = self.opt_type(e, node, ctx);
        self.bounds(&mut opt_type, e, node, ctx);
        self.choices(&mut opt_type, e, ctx);
        let help = self.text(e, "help", ctx).unwrap_or_default();
        let secret = self.flag(e, "secret", ctx);
        let required = self.flag(e, "required", ctx);
        let mutable = self.flag(e, "mutable", ctx);
        let advanced = self.flag(e, "advanced", ctx);
        let for_removal = self.flag(e, "deprecated_for_removal", ctx);
        let reason = self.text(e, "deprecated_reason", ctx);
        let since = self.text(e, "deprecated_since", ctx);
        let deprecated = self.deprecated_names(e, ctx);
        let default = self.default(e, multi, ctx);
        infer_ignore_case(&mut opt_type, default.as_ref().map(|(t, _)| t.as_str()));
        let sample_default = match field(e, "sample_default") {
            None => None,
            Some(n) => config_text(n).unwrap_or_else(|why| {
                self.warn(n, ctx, format!("sample_default not kept: {why}"));
                None
            }),
        };
        if self.errors() > errors_before {
            return;
        }

        let mut opt = Opt::new(name.clone(), opt_type).help(help);
        if multi {
            opt = opt.multi();
        }
        if secret {
            opt = opt.secret();
        }
        if required {
            opt = opt.required();
        }
        if mutable {
            opt = opt.mutable();
        }
        if advanced {
            opt = opt.advanced();
        }
        if let Some(s) = sample_default {
            opt = opt.sample_default(s);
        }
        for d in deprecated {
            opt = opt.deprecated_name(d);
        }
        if for_removal {
            opt = opt.deprecated_for_removal(reason.as_deref(), since.as_deref());
        }
        let opt = match default {
            None => opt,
            Some((text, at)) => {
                let full = opt.clone().default(text);
                match (full.check(), opt.check()) {
                    (Ok(()), _) => full,
                    (Err(why), Ok(())) => {
                        let d = Diagnostic::warning(Code::InvalidValue, format!("{why}; registered without a default"));
                        self.report(d, at, Some(ctx));
                        opt
                    }
                    // Not the default's fault: reported below.
                    (Err(_), Err(_)) => opt,
                }
            }
        };
        let key = (normalize_group(group), opt.dest().to_owned());
        match self.registry.register_opt(group, opt) {
            Ok(()) => {
                self.entries.entry(key).or_insert(entry);
            }
            Err(RegistryError::Duplicate { .. }) => {
                self.warn(node, ctx, "declared again with a different definition; the first declaration is kept".into())
            }
            Err(RegistryError::Invalid { reason, .. }) => self.error(node, Some(ctx), reason),
        }
    }

    fn opt_type(&mut self, e: &[(String, Node)], node: &Node, ctx: Ctx<'_>) -> (OptType, bool) {
        let (text, at) = match field(e, "type") {
            None => {
                self.warn(node, ctx, "no \"type\"; read as a string".into());
                return (OptType::string(), false);
            }
            Some(n @ Node { value: NodeValue::Str(s), .. }) => (s.clone(), n),
            Some(n) => {
                let found = n.kind();
                self.error(
                    n,
                    Some(ctx),
                    format!("\"type\" should be a type name such as \"string value\", found {found}"),
                );
                return (OptType::string(), false);
            }
        };
        base_type(&text).unwrap_or_else(|| {
            self.warn(at, ctx, format!("unknown type {text:?}; read as a string"));
            (OptType::string(), false)
        })
    }

    fn bounds(&mut self, opt_type: &mut OptType, e: &[(String, Node)], node: &Node, ctx: Ctx<'_>) {
        let min = field(e, "min").filter(|n| !n.is_null());
        let max = field(e, "max").filter(|n| !n.is_null());
        if min.is_none() && max.is_none() {
            return;
        }
        match opt_type {
            OptType::Integer(n) | OptType::Port(n) => {
                if let Some(m) = min {
                    n.min = self.int_bound(m, "min", ctx);
                }
                if let Some(m) = max {
                    n.max = self.int_bound(m, "max", ctx);
                }
            }
            OptType::Float(n) => {
                for (bound, key, slot) in [(min, "min", &mut n.min), (max, "max", &mut n.max)] {
                    let Some(b) = bound else { continue };
                    *slot = match b.value {
                        NodeValue::Int(i) => Some(i as f64),
                        NodeValue::Float(f) => Some(f),
                        _ => {
                            let found = b.kind();
                            self.error(b, Some(ctx), format!("\"{key}\" should be a number, found {found}"));
                            None
                        }
                    };
                }
            }
            other => {
                let type_name = other.type_name();
                self.warn(node, ctx, format!("\"min\"/\"max\" ignored: a {type_name} has no bounds"));
            }
        }
    }

    fn int_bound(&mut self, node: &Node, key: &str, ctx: Ctx<'_>) -> Option<i64> {
        let v = match node.value {
            // Beyond 64 bits (Glance's image_size_cap max is 2**63): no
            // value stackauth can hold is outside it, so the bound saturates.
            NodeValue::Int(i) => Some(i64::try_from(i).unwrap_or(if i > 0 { i64::MAX } else { i64::MIN })),
            NodeValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(f as i64),
            _ => None,
        };
        if v.is_none() {
            self.error(node, Some(ctx), format!("\"{key}\" should be a 64-bit integer, found {}", node.kind()));
        }
        v
    }

    fn choices(&mut self, opt_type: &mut OptType, e: &[(String, Node)], ctx: Ctx<'_>) {
        let Some(node) = field(e, "choices") else { return };
        let items = match &node.value {
            NodeValue::Null => return,
            NodeValue::Seq(items) if items.is_empty() => return,
            NodeValue::Seq(items) => items,
            _ => {
                let found = node.kind();
                return self.error(node, Some(ctx), format!("\"choices\" should be a list, found {found}"));
            }
        };
        let mut pairs: Vec<(&Node, Option<String>)> = Vec::new();
        for item in items {
            match &item.value {
                NodeValue::Seq(pair) if (1..=2).contains(&pair.len()) => {
                    let description = match pair.get(1) {
                        None => None,
                        Some(d) if d.is_null() => None,
                        Some(d @ Node { value: NodeValue::Seq(_) | NodeValue::Map(_), .. }) => {
                            let found = d.kind();
                            self.error(
                                d,
                                Some(ctx),
                                format!("a choice's description should be a string, found {found}"),
                            );
                            None
                        }
                        Some(d) => d.key_text(),
                    };
                    pairs.push((&pair[0], description));
                }
                NodeValue::Seq(_) | NodeValue::Map(_) => {
                    self.error(item, Some(ctx), "a choice should be a value or a [value, description] pair".into())
                }
                _ => pairs.push((item, None)),
            }
        }
        // A `None` choice lets the option be unset, which it always may be.
        pairs.retain(|(v, _)| !v.is_null());
        if pairs.is_empty() {
            return;
        }
        match opt_type {
            OptType::String(s) => {
                s.choices = Some(pairs.into_iter().filter_map(|(v, d)| Some((v.key_text()?, d))).collect());
            }
            OptType::Integer(n) | OptType::Port(n) => {
                let mut out = Vec::new();
                for (v, d) in pairs {
                    match v.value {
                        NodeValue::Int(i) if i64::try_from(i).is_ok() => out.push((i as i64, d)),
                        _ => self.error(
                            v,
                            Some(ctx),
                            format!("an integer choice should be an integer, found {}", v.kind()),
                        ),
                    }
                }
                n.choices = Some(out);
            }
            OptType::Float(n) => set_float_choices(self, n, pairs, ctx),
            other => {
                let type_name = other.type_name();
                self.warn(node, ctx, format!("\"choices\" ignored: a {type_name} takes no choices"));
            }
        }
    }

    fn deprecated_names(&mut self, e: &[(String, Node)], ctx: Ctx<'_>) -> Vec<DeprecatedName> {
        let own_name = ctx.option.unwrap_or_default().replace('-', "_");
        let own_group = normalize_group(ctx.group);
        let items = match field(e, "deprecated_opts") {
            None => return Vec::new(),
            Some(n) => match &n.value {
                NodeValue::Null => return Vec::new(),
                NodeValue::Seq(items) => items,
                _ => {
                    let found = n.kind();
                    self.error(n, Some(ctx), format!("\"deprecated_opts\" should be a list, found {found}"));
                    return Vec::new();
                }
            },
        };
        let mut out = Vec::new();
        for item in items {
            let NodeValue::Map(d) = &item.value else {
                let found = item.kind();
                self.error(
                    item,
                    Some(ctx),
                    format!("a deprecated name should be a mapping (group, name), found {found}"),
                );
                continue;
            };
            let group = self.text(d, "group", ctx).filter(|g| normalize_group(g) != own_group);
            let name = self.text(d, "name", ctx).filter(|n| n.replace('-', "_") != own_name);
            if group.is_some() || name.is_some() {
                out.push(DeprecatedName { name, group });
            }
        }
        out
    }

    /// The default as config-file text, with the node it came from.
    fn default<'a>(&mut self, e: &'a [(String, Node)], multi: bool, ctx: Ctx<'_>) -> Option<(String, &'a Node)> {
        let node = field(e, "default")?;
        let text = match (&node.value, multi) {
            // One default value per option: a multi-valued option's list
            // default fits only when it has at most one item.
            (NodeValue::Seq(items), true) => match items.as_slice() {
                [] => Ok(None),
                [one] => config_text(one),
                many => {
                    let n = many.len();
                    self.warn(
                        node,
                        ctx,
                        format!(
                            "a default of {n} values cannot be declared (an option has one default value); \
                             registered without a default"
                        ),
                    );
                    return None;
                }
            },
            _ => config_text(node),
        };
        match text {
            Ok(t) => t.map(|t| (t, node)),
            Err(why) => {
                self.warn(node, ctx, format!("default not kept: {why}"));
                None
            }
        }
    }
}

/// oslo.config checks every default (other than a `$` reference) against
/// the option's type when the option is declared, but the generator does
/// not write a string's `ignore_case`: a default that matches a choice only
/// without regard to case shows that the type had it (oslo.log's
/// `log_rotate_interval_type` has choices `Days`... and default `days`).
fn infer_ignore_case(opt_type: &mut OptType, default: Option<&str>) {
    let (OptType::String(s), Some(d)) = (opt_type, default) else { return };
    let Some(choices) = &s.choices else { return };
    if d.contains('$') || choices.iter().any(|(c, _)| c == d) {
        return;
    }
    if choices.iter().any(|(c, _)| c.to_lowercase() == d.to_lowercase()) {
        s.ignore_case = true;
    }
}

fn set_float_choices(imp: &mut Importer, n: &mut NumberType<f64>, pairs: Vec<(&Node, Option<String>)>, ctx: Ctx<'_>) {
    let mut out = Vec::new();
    for (v, d) in pairs {
        match v.value {
            NodeValue::Int(i) => out.push((i as f64, d)),
            NodeValue::Float(f) => out.push((f, d)),
            _ => imp.error(v, Some(ctx), format!("a float choice should be a number, found {}", v.kind())),
        }
    }
    n.choices = Some(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opt::RawValue;

    fn import(text: &str) -> Result<OptData, Vec<Diagnostic>> {
        parse_data(text, Path::new("t.yaml"))
    }

    fn one_opt(fields: &str) -> (Opt, Vec<Diagnostic>) {
        let text = format!("options:\n  g:\n    help: ''\n    opts:\n    - name: o\n{fields}");
        let data = import(&text).unwrap_or_else(|e| panic!("{e:?}"));
        (data.registry.find("g", "o").expect("registered").clone(), data.warnings)
    }

    #[test]
    fn format_detection() {
        assert_eq!(OptDataFormat::detect("  \n{\"options\": {}}"), OptDataFormat::Json);
        assert_eq!(OptDataFormat::detect("\u{feff}{}"), OptDataFormat::Json);
        assert_eq!(OptDataFormat::detect("options: {}"), OptDataFormat::Yaml);
        assert_eq!(OptDataFormat::detect(""), OptDataFormat::Yaml);
    }

    #[test]
    fn type_names_map_to_types() {
        for (name, t, multi) in [
            ("string value", OptType::string(), false),
            ("multi valued", OptType::string(), true),
            ("integer value", OptType::integer(), false),
            ("floating point value", OptType::float(), false),
            ("boolean value", OptType::boolean(), false),
            ("port value", OptType::port(), false),
            ("list value", OptType::list(), false),
            ("dict value", OptType::dict(), false),
            ("IP address value", OptType::ip_address(), false),
            ("host address value", OptType::host_address(), false),
            ("host domain value", OptType::host_domain(), false),
            ("hostname value", OptType::Hostname, false),
            ("uri value", OptType::uri(), false),
        ] {
            let (opt, warnings) = one_opt(&format!("      type: {name}\n"));
            assert_eq!((opt.opt_type(), opt.is_multi()), (&t, multi), "{name}");
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
            assert_eq!(opt.type_name(), name, "round trip of {name}");
        }
        let (opt, warnings) = one_opt("      type: range value\n      min: 1\n      max: 5\n");
        assert_eq!(opt.opt_type(), &OptType::string());
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            messages,
            ["unknown type \"range value\"; read as a string", "\"min\"/\"max\" ignored: a string value has no bounds"]
        );
        assert_eq!(warnings[0].origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)), Some((6, 13)));
    }

    #[test]
    fn defaults_become_config_text() {
        let cases = [
            ("boolean value", "true", Some("true")),
            ("boolean value", "false", Some("false")),
            ("integer value", "-1", Some("-1")),
            ("floating point value", "1.0", Some("1.0")),
            ("floating point value", "0", Some("0")),
            ("list value", "[a, b, 'c d']", Some("a,b,c d")),
            ("list value", "[]", Some("")),
            ("list value", "''", Some("")),
            ("dict value", "{a: '1', b: x}", Some("a:1,b:x")),
            ("dict value", "{}", Some("")),
            ("string value", "null", None),
            ("string value", "None", Some("None")),
            ("multi valued", "[]", None),
            ("multi valued", "[policy.d]", Some("policy.d")),
            ("host address value", "$my_ip", Some("$my_ip")),
        ];
        for (t, yaml, want) in cases {
            let (opt, warnings) = one_opt(&format!("      type: {t}\n      default: {yaml}\n"));
            assert_eq!(opt.default_text(), want, "{t} {yaml}");
            assert!(warnings.is_empty(), "{t} {yaml}: {warnings:?}");
        }
    }

    #[test]
    fn rejected_defaults_are_dropped_with_a_warning() {
        let (opt, warnings) = one_opt("      type: hostname value\n      default: my_host!\n");
        assert_eq!(opt.default_text(), None);
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert_eq!((w.code, w.severity), (Code::InvalidValue, crate::diagnostic::Severity::Warning));
        assert_eq!((w.group.as_deref(), w.option.as_deref()), (Some("g"), Some("o")));
        assert!(w.message.contains("registered without a default"), "{}", w.message);
        assert_eq!(w.origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column)), Some((7, 16)));

        // A secret's default is not repeated.
        let (_, warnings) = one_opt("      type: integer value\n      secret: true\n      default: hunter2\n");
        assert!(!warnings[0].message.contains("hunter2"), "{}", warnings[0].message);

        // Several values for a multi-valued option's one default.
        let (opt, warnings) = one_opt("      type: multi valued\n      default: [a, b]\n");
        assert_eq!((opt.default_text(), warnings.len()), (None, 1));
    }

    #[test]
    fn bounds_choices_and_deprecations() {
        let (opt, _) = one_opt("      type: integer value\n      min: 1\n      max: 10\n      default: 5\n");
        assert_eq!(opt.opt_type(), &OptType::integer_range(Some(1), Some(10)));
        assert!(opt.parse(&RawValue::Str("11".into())).is_err());

        let (opt, _) = one_opt("      type: floating point value\n      min: 0\n      max: 1.5\n");
        assert!(opt.parse(&RawValue::Str("1.6".into())).is_err());
        assert!(opt.parse(&RawValue::Str("1.4".into())).is_ok());

        let (opt, _) = one_opt(
            "      type: string value\n      choices:\n      - [a, first]\n      - [b, null]\n      - [null, unset]\n      - c\n",
        );
        let OptType::String(s) = opt.opt_type() else { panic!("a string") };
        let want = vec![("a".to_owned(), Some("first".to_owned())), ("b".to_owned(), None), ("c".to_owned(), None)];
        assert_eq!(s.choices.as_ref(), Some(&want));

        // oslo.log's log_rotate_interval_type: ignore_case, as the default shows.
        let (opt, warnings) =
            one_opt("      type: string value\n      choices: [[Days, null], [Hours, null]]\n      default: days\n");
        assert_eq!((opt.default_text(), warnings.len()), (Some("days"), 0));
        assert!(opt.parse(&RawValue::Str("HOURS".into())).is_ok());
        let (opt, _) =
            one_opt("      type: string value\n      choices: [[Days, null], [Hours, null]]\n      default: Days\n");
        assert!(opt.parse(&RawValue::Str("HOURS".into())).is_err());

        let (opt, _) = one_opt(
            "      type: port value\n      min: 0\n      max: 65535\n      choices: [[80, http], [443, null]]\n",
        );
        let OptType::Port(n) = opt.opt_type() else { panic!("a port") };
        assert_eq!(n.choices, Some(vec![(80, Some("http".to_owned())), (443, None)]));

        let (opt, _) = one_opt(concat!(
            "      type: string value\n",
            "      deprecated_opts:\n",
            "      - {group: g, name: old}\n",
            "      - {group: other, name: o}\n",
            "      - {group: g, name: o}\n",
            "      - {group: null, name: older}\n",
            "      deprecated_for_removal: true\n",
            "      deprecated_reason: gone\n",
            "      deprecated_since: '2025.1'\n",
        ));
        assert_eq!(
            opt.deprecated_names(),
            [DeprecatedName::name("old"), DeprecatedName::group("other"), DeprecatedName::name("older")]
        );
        let removal = opt.removal().expect("deprecated for removal");
        assert_eq!((removal.reason.as_deref(), removal.since.as_deref()), (Some("gone"), Some("2025.1")));
    }

    #[test]
    fn flags_and_dest() {
        let (opt, _) = one_opt(concat!(
            "      type: string value\n      secret: true\n      required: true\n      mutable: true\n",
            "      advanced: true\n      sample_default: '<host>'\n      help: Some help.\n",
        ));
        assert!(opt.is_secret() && opt.is_required() && opt.is_mutable() && opt.is_advanced());
        assert_eq!((opt.sample_default_text(), opt.help_text()), (Some("<host>"), "Some help."));

        let text = "options:\n  g:\n    opts:\n    - {name: log-file, dest: log_file, type: string value}\n    - {name: a, dest: b, type: string value}\n";
        let data = import(text).unwrap();
        assert_eq!(data.registry.find("g", "log_file").map(Opt::name), Some("log-file"));
        assert!(data.registry.find("g", "b").is_some());
        assert_eq!(data.warnings.len(), 1, "{:?}", data.warnings);
    }

    #[test]
    fn wrong_shapes_are_errors_with_positions() {
        let errors =
            import("options:\n  g:\n    opts:\n    - type: string value\n    - name: x\n      secret: maybe\n")
                .expect_err("errors");
        let found: Vec<(u32, &str)> = errors
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (d.origin.as_ref().and_then(|o| o.location()).map_or(0, |l| l.line), d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [(4, "an option without a \"name\""), (6, "\"secret\" should be true or false, found a string")]
        );

        let errors = import("generator_options: {}\n").expect_err("errors");
        assert!(errors[0].message.starts_with("no \"options\""), "{}", errors[0].message);
        let errors = import("- a\n- b\n").expect_err("errors");
        assert!(errors[0].message.contains("found a list"), "{}", errors[0].message);

        let errors = import("options:\n  g: {opts: [{name: x\n").expect_err("errors");
        assert_eq!(errors[0].code, Code::OptData);
        assert!(errors[0].message.starts_with("invalid YAML: "), "{}", errors[0].message);

        let errors = import("{\"options\": {\"g\": }}").expect_err("errors");
        let at = errors[0].origin.as_ref().and_then(|o| o.location()).map(|l| (l.line, l.column));
        assert_eq!((errors[0].message.as_str(), at), ("invalid JSON: expected value", Some((1, 19))));
    }

    #[test]
    fn namespaces_and_deprecated_options() {
        let text = concat!(
            "deprecated_options:\n  old: [{name: a, replacement_group: g, replacement_name: b}]\n",
            "generator_options: {namespace: [one, two]}\n",
            "options:\n  g:\n    opts: [{name: b, type: string value, namespace: one}]\n",
        );
        let data = import(text).unwrap();
        assert_eq!(data.namespaces, ["one", "two"]);
        assert_eq!(
            data.deprecated_options,
            [DeprecatedOption {
                group: "old".into(),
                name: "a".into(),
                replacement_group: "g".into(),
                replacement_name: "b".into()
            }]
        );
        let data = import("options:\n  g:\n    opts: [{name: b, namespace: one}, {name: c, namespace: x}]\n").unwrap();
        assert_eq!(data.namespaces, ["one", "x"]);
    }
}
