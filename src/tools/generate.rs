//! `stackauth generate`: a commented sample configuration, as
//! `oslo-config-generator` writes one, in INI (its layout), TOML, the
//! machine-readable YAML and JSON of `oslo-config-generator --format
//! yaml|json`, or the RST option reference of `--format rst`.
//!
//! The INI layout is oslo-config-generator's, option block for option
//! block: the help wrapped at 70 columns (`wrap_width`) with the type in
//! parentheses, bounds, possible values, `# Deprecated group/name -
//! [g]/n`, the removal notice, the advanced and sample-default notes, then
//! `#name = default` (`<None>` when there is no default). With `annotate`
//! it adds what oslo's lacks: a line for required options and one for
//! secret options, and the legacy options of a compound deprecation under
//! the option they make.
//!
//! From an opt-data file ([`sample_opt_data`]) the INI sample and the RST
//! reference are oslo-config-generator's byte for byte
//! (tests/tools/generate_parity.rs): each option under its namespace's banner,
//! defaults written from the Python values the file holds, as the
//! generator's two default writers do.
//!
//! ```
//! use stackauth::tools::generate::{GenerateOptions, sample};
//! let registry = stackauth::namespace::by_name("keystonemiddleware.auth_token").unwrap();
//! let ini = sample(&registry, &GenerateOptions::default());
//! assert!(ini.starts_with("[DEFAULT]\n"));
//! assert!(ini.contains("\n#www_authenticate_uri = <None>\n"));
//! ```

mod ini;
mod machine;
mod python;
mod rst;
mod toml_sample;
mod wrap;
mod yaml;

use std::collections::BTreeMap;

use crate::opt::{Compound, DEFAULT_GROUP, Group, NumberType, Opt, OptType, Registry, Segment, normalize_group};
use crate::tools::optdata::{OptData, OptEntry};

pub(crate) use machine::sort_keys as sort_json_keys;
pub(crate) use wrap::comment_block;

/// The sample's format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleFormat {
    /// oslo-config-generator's INI layout.
    #[default]
    Ini,
    /// TOML.
    Toml,
    /// YAML, as `oslo-config-generator --format yaml`.
    Yaml,
    /// JSON, as `oslo-config-generator --format json`.
    Json,
    /// The RST option reference, as `oslo-config-generator --format rst`.
    Rst,
}

/// What to generate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The format.
    pub format: SampleFormat,
    /// Only required options and options without a default.
    pub minimal: bool,
    /// The `#:schema` URL or path written at the top of a TOML sample.
    pub schema_url: Option<String>,
    /// The width help text is wrapped to (`--wrap-width`): [`WRAP_WIDTH`]
    /// when `None`; 0 means 998 columns, as oslo-config-generator.
    pub wrap_width: Option<usize>,
    /// Only the first paragraph of each option's help in the INI and TOML
    /// samples, as oslo-config-generator's `--summarize`.
    pub summarize: bool,
    /// stackauth's own notes in the INI and TOML samples, which
    /// oslo-config-generator does not write: required and secret options,
    /// and the legacy options of a compound deprecation.
    pub annotate: bool,
}

impl GenerateOptions {
    /// The width help is wrapped to.
    pub fn width(&self) -> usize {
        match self.wrap_width {
            None => WRAP_WIDTH,
            // oslo-config-generator: `conf.wrap_width or 998`.
            Some(0) => 998,
            Some(w) => w,
        }
    }
}

/// The width help text is wrapped to, as oslo-config-generator's default
/// `--wrap-width`.
pub const WRAP_WIDTH: usize = 70;

/// The opt-data entries of the options being written, by (group, dest).
type Entries<'a> = Option<&'a BTreeMap<(String, String), OptEntry>>;

/// A sample configuration for every option of `registry`.
///
/// The registry has no namespace name, so the INI and TOML samples have no
/// `# From <namespace>` banner and the YAML and JSON entries have a `null`
/// namespace; [`sample_namespaces`] names them.
pub fn sample(registry: &Registry, opts: &GenerateOptions) -> String {
    render(&[Source { namespace: None, registry }], None, opts)
}

/// A sample configuration for several namespaces, as
/// `oslo-config-generator --namespace a --namespace b` writes it: the
/// groups of all of them, each group's options under a `# From <namespace>`
/// banner per namespace (namespaces in name order).
pub fn sample_namespaces(namespaces: &[(&str, &Registry)], opts: &GenerateOptions) -> String {
    let sources: Vec<Source<'_>> =
        namespaces.iter().map(|(name, registry)| Source { namespace: Some(name), registry }).collect();
    render(&sources, None, opts)
}

/// The sample of what an opt-data file describes, as oslo-config-generator
/// writes it from the namespaces the file was made from: each option under
/// its own namespace's banner, its default from the Python value the file
/// holds.
pub fn sample_opt_data(data: &OptData, opts: &GenerateOptions) -> String {
    sample_sources(&[], &[data], opts)
}

/// The sample of built-in namespaces and opt-data files together.
pub fn sample_sources(namespaces: &[(&str, &Registry)], opt_data: &[&OptData], opts: &GenerateOptions) -> String {
    let mut entries: BTreeMap<(String, String), OptEntry> = BTreeMap::new();
    let mut owned: Vec<(Option<String>, Registry)> = Vec::new();
    for data in opt_data {
        for (k, v) in &data.entries {
            entries.entry(k.clone()).or_insert_with(|| v.clone());
        }
        // The RST reference keeps each group's options in the file's
        // order (the namespaces' own), so it needs no split.
        if opts.format == SampleFormat::Rst {
            owned.push((None, data.registry.clone()));
        } else {
            owned.extend(split_by_namespace(data));
        }
    }
    let mut sources: Vec<Source<'_>> =
        namespaces.iter().map(|(name, registry)| Source { namespace: Some(name), registry }).collect();
    sources.extend(owned.iter().map(|(ns, registry)| Source { namespace: ns.as_deref(), registry }));
    render(&sources, Some(&entries), opts)
}

/// An opt-data file's registry as one registry per namespace, in the order
/// the namespaces first appear.
fn split_by_namespace(data: &OptData) -> Vec<(Option<String>, Registry)> {
    let mut out: Vec<(Option<String>, Registry)> = Vec::new();
    for group in data.registry.groups() {
        let key_group = normalize_group(group.name());
        for opt in group.opts() {
            let ns = data.entries.get(&(key_group.clone(), opt.dest().to_owned())).and_then(|e| e.namespace.clone());
            let i = match out.iter().position(|(n, _)| *n == ns) {
                Some(i) => i,
                None => {
                    out.push((ns, Registry::new()));
                    out.len() - 1
                }
            };
            let registry = &mut out[i].1;
            if registry.group(group.name()).is_none() {
                registry.register_group(group.name(), group.help());
            }
            // The options come from a valid registry: registering them
            // again cannot fail.
            let _ = registry.register_opt(group.name(), opt.clone());
        }
    }
    out
}

/// One namespace's registry.
struct Source<'a> {
    namespace: Option<&'a str>,
    registry: &'a Registry,
}

/// One group of the sample: its name, its help, and its options from each
/// namespace that has some.
struct SampleGroup<'a> {
    name: String,
    help: &'a str,
    parts: Vec<(Option<&'a str>, &'a Group)>,
}

impl<'a> SampleGroup<'a> {
    /// The options of each part that the sample shows, advanced ones last
    /// within each part (a stable sort, as oslo-config-generator's).
    fn shown(&self, minimal: bool) -> Vec<(Option<&'a str>, &'a Group, Vec<&'a Opt>)> {
        self.parts
            .iter()
            .map(|(ns, group)| {
                let mut opts: Vec<&Opt> = group.opts().filter(|o| included(o, minimal)).collect();
                opts.sort_by_key(|o| o.is_advanced());
                (*ns, *group, opts)
            })
            .collect()
    }

    fn has_shown(&self, minimal: bool) -> bool {
        self.parts.iter().any(|(_, g)| g.opts().any(|o| included(o, minimal)))
    }
}

/// Whether a sample shows `opt`: always, or in a minimal sample only when it
/// is required or has no default.
fn included(opt: &Opt, minimal: bool) -> bool {
    !minimal || opt.is_required() || opt.default_text().is_none()
}

/// The groups in oslo-config-generator's order: `DEFAULT` first (always
/// present), then the others by name. Groups without options are left out.
fn collect_groups<'a>(sources: &[Source<'a>]) -> Vec<SampleGroup<'a>> {
    let mut groups: Vec<SampleGroup<'a>> =
        vec![SampleGroup { name: DEFAULT_GROUP.to_owned(), help: "", parts: Vec::new() }];
    for source in sources {
        for group in source.registry.groups() {
            let name = normalize_group(group.name());
            let entry = match groups.iter().position(|g| g.name == name) {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(SampleGroup { name: name.clone(), help: "", parts: Vec::new() });
                    groups.last_mut().expect("just pushed")
                }
            };
            if entry.help.is_empty() {
                entry.help = group.help();
            }
            if group.opts().len() > 0 {
                entry.parts.push((source.namespace, group));
            }
        }
    }
    groups.retain(|g| g.name == DEFAULT_GROUP || !g.parts.is_empty());
    groups[1..].sort_by(|a, b| a.name.cmp(&b.name));
    for g in &mut groups {
        g.parts.sort_by_key(|(ns, _)| *ns);
    }
    groups
}

fn render(sources: &[Source<'_>], entries: Entries<'_>, opts: &GenerateOptions) -> String {
    let groups = collect_groups(sources);
    match opts.format {
        SampleFormat::Ini => ini::write(&groups, entries, opts),
        SampleFormat::Rst => rst::write(&groups, entries),
        SampleFormat::Toml => toml_sample::write(&groups, opts),
        SampleFormat::Yaml => yaml::to_yaml(&machine::data(&groups, sources, opts)),
        SampleFormat::Json => machine::to_json(&machine::data(&groups, sources, opts)),
    }
}

/// The bounds of an option as oslo-config-generator prints them: the
/// opt-data file's own values where there is one.
fn bounds_of(opt: &Opt, entry: Option<&OptEntry>) -> (Option<String>, Option<String>) {
    let (min, max) = number_bounds(opt.opt_type());
    let Some(e) = entry else { return (min, max) };
    let raw = |n: &Option<crate::source::yaml::Node>, parsed: Option<String>| {
        parsed.map(|p| n.as_ref().filter(|n| !n.is_null()).map_or(p, python::py_str))
    };
    (raw(&e.bounds.0, min), raw(&e.bounds.1, max))
}

/// The bounds of a number type.
fn number_bounds(t: &OptType) -> (Option<String>, Option<String>) {
    fn both<T: std::fmt::Display>(n: &NumberType<T>) -> (Option<String>, Option<String>) {
        (n.min.as_ref().map(T::to_string), n.max.as_ref().map(T::to_string))
    }
    match t {
        OptType::Integer(n) | OptType::Port(n) => both(n),
        OptType::Float(n) => (n.min.map(python_float), n.max.map(python_float)),
        _ => (None, None),
    }
}

pub(crate) use crate::tools::text::python_float;

/// The choices of a type, as text, with their descriptions.
fn choice_texts(t: &OptType) -> Vec<(String, Option<String>)> {
    match t {
        OptType::String(s) => s
            .choices
            .iter()
            .flatten()
            .map(|(v, d)| (if v.is_empty() { "''".to_owned() } else { v.clone() }, d.clone()))
            .collect(),
        OptType::Integer(n) | OptType::Port(n) => {
            n.choices.iter().flatten().map(|(v, d)| (v.to_string(), d.clone())).collect()
        }
        OptType::Float(n) => n.choices.iter().flatten().map(|(v, d)| (python_float(*v), d.clone())).collect(),
        _ => Vec::new(),
    }
}

/// The old spellings of an option, as `(group, name)`: names written with
/// `-` are given with `_`, since a file may use either.
fn deprecated_spellings(opt: &Opt, group: &str) -> Vec<(String, String)> {
    opt.deprecated_names()
        .iter()
        .map(|d| {
            let g = d.group.as_deref().map_or_else(|| group.to_owned(), normalize_group);
            let n = d.name.as_deref().unwrap_or(opt.dest()).replace('-', "_");
            (g, n)
        })
        .collect()
}

/// A compound's template with its parts as `{name}`.
fn template_text(c: &Compound) -> String {
    c.template
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.clone(),
            Segment::Part { name, .. } => format!("{{{name}}}"),
        })
        .collect()
}

/// The comment lines that describe an option, before its value line: the
/// layout of oslo-config-generator's `_OptFormatter.format`, plus the
/// required and secret notes and the legacy options of compound
/// deprecations that make this option.
fn describe(opt: &Opt, group_name: &str, group: &Group, entry: Option<&OptEntry>, opts: &GenerateOptions) -> String {
    let width = opts.width();
    let mut out = String::new();
    let help = opt.help_text();
    let type_name = entry.and_then(|e| e.type_name.as_deref()).unwrap_or(opt.type_name());
    let prefix = if opt.removal().is_some() && !help.starts_with("DEPRECATED") { "DEPRECATED: " } else { "" };
    let first = if help.is_empty() {
        format!("({type_name})")
    } else if opts.summarize {
        format!("{prefix}{} ({type_name})", summary(help))
    } else {
        format!("{prefix}{help} ({type_name})")
    };
    out.push_str(&comment_block(&first, width));
    let (min, max) = bounds_of(opt, entry);
    if let Some(min) = min {
        out.push_str(&format!("# Minimum value: {min}\n"));
    }
    if let Some(max) = max {
        out.push_str(&format!("# Maximum value: {max}\n"));
    }
    let choices = choice_texts(opt.opt_type());
    if !choices.is_empty() {
        out.push_str("# Possible values:\n");
        for (value, desc) in choices {
            let desc = desc.filter(|d| !d.is_empty()).unwrap_or_else(|| "<No description provided>".to_owned());
            out.push_str(&comment_block(&format!("{value} - {desc}"), width));
        }
    }
    if opt.is_mutable() {
        out.push_str("# Note: This option can be changed without restarting.\n");
    }
    if opts.annotate && opt.is_required() {
        out.push_str("# This option is required.\n");
    }
    if opts.annotate && opt.is_secret() {
        out.push_str("# This option is secret: it is never shown in logs or output.\n");
    }
    for (g, n) in deprecated_spellings(opt, group_name) {
        out.push_str(&format!("# Deprecated group/name - [{g}]/{n}\n"));
    }
    for c in group.compounds().iter().filter(|c| opts.annotate && c.target == opt.dest()) {
        let parts: Vec<String> =
            c.parts
                .iter()
                .map(|p| {
                    if p.default.is_empty() {
                        format!("{} = ''", p.name)
                    } else {
                        format!("{} = {}", p.name, p.default)
                    }
                })
                .collect();
        let text = format!(
            "Deprecated legacy options - [{group_name}]/{} make this value when it is not set, as {} (legacy \
             defaults: {}).",
            c.parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
            template_text(c),
            parts.join(", "),
        );
        out.push_str(&comment_block(&text, width));
        if let Some(reason) = &c.reason {
            out.push_str(&comment_block(&format!("Reason: {reason}"), width));
        }
    }
    if let Some(removal) = opt.removal() {
        match &removal.since {
            Some(since) => out.push_str(&format!("# This option is deprecated for removal since {since}.\n")),
            None => out.push_str("# This option is deprecated for removal.\n"),
        }
        out.push_str("# Its value may be silently ignored in the future.\n");
        if let Some(reason) = &removal.reason {
            out.push_str(&comment_block(&format!("Reason: {reason}"), width));
        }
    }
    if opt.is_advanced() {
        out.push_str(
            "# Advanced Option: intended for advanced users and not used\n\
             # by the majority of users, and might have a significant\n\
             # effect on stability and/or performance.\n",
        );
    }
    let sample_default = match entry {
        Some(e) => python::is_truthy(e.sample_default.as_ref()),
        None => opt.sample_default_text().is_some_and(|s| !s.is_empty()),
    };
    if sample_default {
        out.push_str(
            "#\n\
             # This option has a sample default set, which means that\n\
             # its actual default value may vary from the one documented\n\
             # below.\n",
        );
    }
    out
}

/// `--summarize`: the help's first paragraph without its closing `:` or
/// `.`, and a pointer to the documentation when there is more.
fn summary(help: &str) -> String {
    let mut paragraphs = help.split("\n\n");
    let first = paragraphs.next().unwrap_or_default().trim_end_matches(':').trim_end_matches('.');
    if paragraphs.next().is_some() {
        format!("{first}. For more information, refer to the documentation.")
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opt::{DeprecatedName, StringType};

    fn reg() -> Registry {
        let mut r = Registry::new();
        r.register_group("Zeta", "The last group.");
        r.register_opts(
            "zeta",
            [
                Opt::new("level", OptType::integer_range(Some(1), Some(5))).default("3").help("How much."),
                Opt::string("knob").advanced().help("A knob."),
                Opt::string("plain").help("Plain."),
            ],
        )
        .unwrap();
        r.register_opts(
            "DEFAULT",
            [Opt::new("debug", OptType::boolean()).default("True").mutable().help("Debug output.")],
        )
        .unwrap();
        r.register_opts(
            "alpha",
            [Opt::new(
                "mode",
                OptType::String(StringType {
                    choices: Some(vec![("fast".into(), Some("Go fast.".into())), ("".into(), None)]),
                    ..StringType::default()
                }),
            )
            .default("fast")
            .deprecated_name(DeprecatedName::group("old_alpha"))
            .help("Mode.")],
        )
        .unwrap();
        r
    }

    #[test]
    fn groups_default_first_then_by_name() {
        let r = reg();
        let groups = collect_groups(&[Source { namespace: None, registry: &r }]);
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["DEFAULT", "alpha", "zeta"]);
        assert_eq!(groups[2].help, "The last group.");
    }

    #[test]
    fn advanced_last_and_blocks() {
        let r = reg();
        let ini = sample(&r, &GenerateOptions::default());
        let knob = ini.find("#knob =").unwrap();
        let plain = ini.find("#plain =").unwrap();
        assert!(plain < knob, "{ini}");
        assert!(ini.contains("# How much. (integer value)\n# Minimum value: 1\n# Maximum value: 5\n#level = 3\n"));
        assert!(ini.contains(
            "# Debug output. (boolean value)\n# Note: This option can be changed without restarting.\n#debug = true\n"
        ));
        assert!(ini.contains("# Possible values:\n# fast - Go fast.\n# '' - <No description provided>\n"));
        assert!(ini.contains("# Deprecated group/name - [old_alpha]/mode\n"));
        assert!(ini.contains("# Advanced Option: intended for advanced users and not used\n"));
        assert!(ini.contains("[zeta]\n# The last group.\n\n# How much."), "{ini}");
    }
}
