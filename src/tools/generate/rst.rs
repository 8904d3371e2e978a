//! The RST option reference: what `oslo-config-generator --format rst`
//! writes (oslo.config's Sphinx extension, `_format_option_help` with the
//! namespaces merged), from which OpenStack's configuration docs are built.
//!
//! Groups come in name order, each with the options of every namespace in
//! declaration order (no advanced-last sorting, unlike the INI sample); the
//! help is not wrapped, and `%(default)s` in it becomes "the value above".

use super::python::{is_truthy, percent_default, rst_defaults, rst_defaults_of};
use super::wrap::split_lines;
use super::{Entries, SampleGroup, bounds_of, choice_texts, deprecated_spellings};
use crate::opt::Opt;

/// `_indent`: every line of `text` with `n` spaces before it, empty lines
/// left empty.
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    split_lines(text)
        .iter()
        .map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Python's `str.strip()` / `rstrip()` white space.
fn py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\x1c'..='\x1f')
}

/// The type as the Sphinx extension names it: by the option's class
/// (`StrOpt` -> `string`), so by the type name the class gives.
fn type_description(opt: &Opt, type_name: Option<&str>) -> String {
    let name = type_name.unwrap_or(opt.type_name());
    match name {
        "string value" => "string",
        "multi valued" => "multi-valued",
        "boolean value" => "boolean",
        "integer value" => "integer",
        "floating point value" => "floating point",
        "list value" => "list",
        "dict value" => "dict",
        "IP address value" => "ip address",
        "port value" => "port number",
        "hostname value" => "hostname",
        "uri value" => "URI",
        "host address value" => "host address",
        // HostDomainOpt and a project's own option classes are not in the
        // extension's table: their type's name is shown.
        other => other,
    }
    .to_owned()
}

/// One option's lines (`_format_opt`).
fn option(out: &mut Vec<String>, opt: &Opt, group_name: &str, entries: Entries<'_>) {
    let entry = entries.and_then(|e| e.get(&(group_name.to_owned(), opt.dest().to_owned())));
    out.push(format!(".. oslo.config:option:: {}", opt.dest()));
    out.push(String::new());
    out.push(indent(&format!(":Type: {}", type_description(opt, entry.and_then(|e| e.type_name.as_deref()))), 2));
    let defaults = match entry {
        Some(e) => rst_defaults(opt, e.default.as_ref(), e.sample_default.as_ref()),
        None => rst_defaults_of(opt),
    };
    for d in defaults {
        let shown = if d.is_empty() { "''".to_owned() } else { d };
        out.push(indent(&format!(":Default: ``{shown}``"), 2));
    }
    let (min, max) = bounds_of(opt, entry);
    if let Some(min) = min {
        out.push(indent(&format!(":Minimum Value: {min}"), 2));
    }
    if let Some(max) = max {
        out.push(indent(&format!(":Maximum Value: {max}"), 2));
    }
    let choices = choice_texts(opt.opt_type());
    if !choices.is_empty() {
        let values: Vec<&str> = choices.iter().map(|(v, _)| v.as_str()).collect();
        out.push(indent(&format!(":Valid Values: {}", values.join(", ")), 2));
    }
    if opt.is_mutable() {
        out.push(indent(":Mutable: This option can be changed without restarting.", 2));
    }
    if opt.is_advanced() {
        out.push(indent(":Advanced Option: Intended for advanced users and not used", 2));
        out.push(indent("by the majority of users, and might have a significant", 6));
        out.push(indent("effect on stability and/or performance.", 6));
    }
    let sample_default = match entry {
        Some(e) => is_truthy(e.sample_default.as_ref()),
        None => opt.sample_default_text().is_some_and(|s| !s.is_empty()),
    };
    if sample_default {
        out.push(String::new());
        out.push(indent("This option has a sample default set, which means that", 2));
        out.push(indent("its actual default value may vary from the one documented", 2));
        out.push(indent("above.", 2));
    }
    let help = percent_default(opt.help_text()).unwrap_or_else(|| opt.help_text().to_owned());
    if !help.is_empty() {
        out.push(String::new());
        for line in split_lines(help.trim_matches(py_space)) {
            out.push(indent(line.trim_end_matches(py_space), 2));
        }
    }
    // The rubric only for choices with descriptions, as the extension.
    if choices.iter().any(|(_, d)| d.is_some()) {
        out.push(String::new());
        out.push(indent(".. rubric:: Possible values", 2));
        for (value, desc) in &choices {
            out.push(String::new());
            out.push(indent(value, 2));
            let desc = desc.as_deref().filter(|d| !d.is_empty()).unwrap_or("<No description provided>");
            out.push(indent(&indent(desc, 2), 2));
        }
    }
    let deprecated = deprecated_spellings(opt, group_name);
    if !deprecated.is_empty() {
        out.push(String::new());
        out.push(indent(".. list-table:: Deprecated Variations", 2));
        out.push(indent("   :header-rows: 1", 2));
        out.push(String::new());
        out.push(indent("   - * Group", 2));
        out.push(indent("     * Name", 2));
        for (g, n) in deprecated {
            out.push(indent(&format!("   - * {g}"), 2));
            out.push(indent(&format!("     * {n}"), 2));
        }
    }
    if let Some(removal) = opt.removal() {
        out.push(String::new());
        out.push(indent(".. warning::", 2));
        out.push(indent(
            &match &removal.since {
                Some(since) => format!("   This option is deprecated for removal since {since}."),
                None => "   This option is deprecated for removal.".to_owned(),
            },
            2,
        ));
        out.push(indent("   Its value may be silently ignored ", 2));
        out.push(indent("   in the future.", 2));
        if let Some(reason) = removal.reason.as_deref().filter(|r| !r.is_empty()) {
            let joined: Vec<&str> = split_lines(reason).iter().map(|l| l.trim_matches(py_space)).collect();
            out.push(String::new());
            out.push(indent(&format!("   :Reason: {}", joined.join(" ")), 2));
        }
    }
    out.push(String::new());
}

/// The whole reference: groups in name order, groups without options left
/// out.
pub(super) fn write(groups: &[SampleGroup<'_>], entries: Entries<'_>) -> String {
    let mut sorted: Vec<&SampleGroup<'_>> =
        groups.iter().filter(|g| g.parts.iter().any(|(_, g)| g.opts().len() > 0)).collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<String> = Vec::new();
    for group in sorted {
        out.push(format!(".. oslo.config:group:: {}", group.name));
        out.push(String::new());
        if !group.help.is_empty() {
            for line in split_lines(group.help.trim_matches(py_space)) {
                out.push(indent(line.trim_end_matches(py_space), 2));
            }
            out.push(String::new());
        }
        for (_, g) in &group.parts {
            for opt in g.opts() {
                option(&mut out, opt, &group.name, entries);
            }
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opt::OptType;

    #[test]
    fn indents_like_the_extension() {
        assert_eq!(indent("a\n\nb", 2), "  a\n\n  b");
        assert_eq!(indent("", 2), "");
        assert_eq!(indent(&indent("x\ny", 2), 2), "    x\n    y");
    }

    #[test]
    fn types_by_class() {
        assert_eq!(type_description(&Opt::multi_string("m"), None), "multi-valued");
        assert_eq!(type_description(&Opt::new("p", OptType::port()), None), "port number");
        assert_eq!(type_description(&Opt::new("h", OptType::host_domain()), None), "host domain value");
        assert_eq!(type_description(&Opt::string("r"), Some("range value")), "range value");
    }
}
