//! `stackauth schema`: JSON Schema (draft 2020-12) for the TOML form.
//!
//! One property per group (an object), one property per option in it,
//! typed as the TOML loader reads it: integers and ports as `integer` with
//! their bounds, floats as `number`, booleans as `boolean`, strings with
//! their choices (`enum`), pattern and length, URIs, host names and
//! addresses with a `format`. Lists and dicts may be written natively
//! (an array, a table) or as oslo.config's comma-separated text, and
//! multi-valued options as an array or one value: the schema accepts both
//! (`anyOf`).
//!
//! Options deprecated for removal are `deprecated: true`; secrets are
//! `writeOnly: true` and `x-stackauth-secret: true`. Deprecated names and
//! groups, and the legacy parts of compound deprecations, are properties
//! of their own, `deprecated: true`, whose description names the
//! replacement. Groups holding an `auth_type` option allow other
//! properties (the auth plugin adds its options); other groups do not.
//! Other groups are allowed at the top level (other namespaces add them).
//!
//! ```
//! let registry = stackauth::namespace::by_name("keystonemiddleware.auth_token").unwrap();
//! let schema = stackauth::tools::schema::json_schema(&registry, "keystonemiddleware.auth_token");
//! let group = &schema["properties"]["keystone_authtoken"];
//! assert_eq!(group["properties"]["token_cache_time"]["type"], "integer");
//! assert_eq!(group["properties"]["auth_uri"]["deprecated"], true);
//! assert_eq!(group["additionalProperties"], true); // it has auth_type
//! ```

use serde_json::{Map, Value as J, json};

use crate::opt::{
    Compound, IpVersion, NumberType, Opt, OptType, RawValue, Registry, Segment, StringType, normalize_group,
};

/// The draft this module writes.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The extension keyword that marks secret options.
pub const SECRET_KEYWORD: &str = "x-stackauth-secret";

/// The JSON Schema of a registry's TOML form.
pub fn json_schema(registry: &Registry, title: &str) -> J {
    let mut groups: Map<String, J> = Map::new();
    // Groups that exist only because options used to live there.
    let mut moved: Map<String, J> = Map::new();
    for group in registry.groups() {
        let gname = normalize_group(group.name());
        let mut props: Map<String, J> = Map::new();
        let mut aliases: Vec<(String, String, J)> = Vec::new();
        for opt in group.opts() {
            let schema = option_schema(opt);
            if opt.name() != opt.dest() {
                aliases.push((
                    gname.clone(),
                    opt.name().to_owned(),
                    with_description(&schema, format!("Another spelling of `{}`.", opt.dest()), None),
                ));
            }
            for d in opt.deprecated_names() {
                let old_group = d.group.as_deref().map_or_else(|| gname.clone(), normalize_group);
                let old_name = d.name.as_deref().unwrap_or(opt.dest());
                let text = if old_group == gname {
                    format!("Deprecated name: use `{}` instead.", opt.dest())
                } else {
                    format!("Deprecated: use `{}` in the `[{gname}]` group instead.", opt.dest())
                };
                let alias = with_description(&schema, text, Some(true));
                aliases.push((old_group.clone(), old_name.replace('-', "_"), alias.clone()));
                if old_name.contains('-') {
                    aliases.push((old_group, old_name.to_owned(), alias));
                }
            }
            props.insert(opt.dest().to_owned(), schema);
        }
        for c in group.compounds() {
            for (name, schema) in compound_parts(c) {
                aliases.push((gname.clone(), name, schema));
            }
        }
        for (g, name, schema) in aliases {
            let target = if g == gname {
                &mut props
            } else if let Some(J::Object(existing)) = groups.get_mut(&g) {
                match existing.get_mut("properties") {
                    Some(J::Object(p)) => p,
                    _ => continue,
                }
            } else {
                let entry = moved.entry(g.clone()).or_insert_with(|| json!({}));
                match entry {
                    J::Object(p) => p,
                    _ => continue,
                }
            };
            target.entry(name).or_insert(schema);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        if !group.help().is_empty() {
            schema.insert("description".into(), json!(group.help()));
        }
        schema.insert("properties".into(), J::Object(props));
        groups.insert(gname, J::Object(schema));
    }
    // A deprecated group that is also a real group (registered later) gets
    // its aliases; one that is not becomes a deprecated group of its own.
    for (g, props) in moved {
        let J::Object(props) = props else { continue };
        if let Some(J::Object(existing)) = groups.get_mut(&g) {
            if let Some(J::Object(p)) = existing.get_mut("properties") {
                for (k, v) in props {
                    p.entry(k).or_insert(v);
                }
            }
            continue;
        }
        groups.insert(
            g,
            json!({
                "type": "object",
                "description": "Deprecated group: its options have moved; each says where.",
                "deprecated": true,
                "properties": props,
            }),
        );
    }
    for group in groups.values_mut() {
        if let J::Object(g) = group {
            let open = matches!(g.get("properties"), Some(J::Object(p)) if p.contains_key("auth_type"));
            g.insert("additionalProperties".into(), J::Bool(open));
        }
    }
    crate::tools::generate::sort_json_keys(json!({
        "$schema": DRAFT,
        "title": title,
        "description": "A stackauth TOML configuration file: one table per group, one key per option.",
        "type": "object",
        "properties": groups,
        "additionalProperties": true,
    }))
}

/// The name of a built-in namespace's schema file in the `schema/`
/// directory.
pub fn schema_file_name(namespace: &str) -> String {
    format!("{namespace}.json")
}

/// The text of a built-in namespace's schema file: the schema titled with
/// the namespace name, as pretty JSON with a trailing newline. `None` for
/// an unknown namespace.
pub fn builtin_schema_text(namespace: &str) -> Option<String> {
    let registry = crate::namespace::by_name(namespace)?;
    let schema = json_schema(&registry, namespace);
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value always serializes");
    text.push('\n');
    Some(text)
}

/// A copy of an option's schema for another property: a new description,
/// and `deprecated: true` if asked (otherwise as the option is).
fn with_description(schema: &J, text: String, deprecated: Option<bool>) -> J {
    let mut s = schema.clone();
    if let J::Object(m) = &mut s {
        m.insert("description".into(), J::String(text));
        if let Some(d) = deprecated {
            m.insert("deprecated".into(), J::Bool(d));
        }
    }
    s
}

/// The schema of one option.
fn option_schema(opt: &Opt) -> J {
    let item = type_schema(opt.opt_type());
    let mut s = if opt.is_multi() {
        let mut m = Map::new();
        m.insert("anyOf".into(), json!([{ "type": "array", "items": item.clone() }, item]));
        m
    } else {
        match item {
            J::Object(m) => m,
            _ => Map::new(),
        }
    };
    let mut description = opt.help_text().to_owned();
    if let Some(removal) = opt.removal() {
        let since = removal.since.as_deref().map(|s| format!(" since {s}")).unwrap_or_default();
        let reason = removal.reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&format!("Deprecated for removal{since}.{reason}"));
        s.insert("deprecated".into(), J::Bool(true));
    }
    let described = described_choices(opt.opt_type());
    if !described.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str("Possible values:");
        for line in described {
            description.push_str("\n- ");
            description.push_str(&line);
        }
    }
    if !description.is_empty() {
        s.insert("description".into(), J::String(description));
    }
    if let Some(default) = opt.default_text().and_then(|d| typed(opt, d)) {
        s.insert("default".into(), default);
    }
    if let Some(example) = opt.sample_default_text().and_then(|d| typed(opt, d)) {
        s.insert("examples".into(), json!([example]));
    }
    if opt.is_secret() {
        s.insert("writeOnly".into(), J::Bool(true));
        s.insert(SECRET_KEYWORD.into(), J::Bool(true));
    }
    J::Object(s)
}

/// The choices of a type that have a description, as `` `value`: description ``.
fn described_choices(t: &OptType) -> Vec<String> {
    fn lines<T: std::fmt::Display>(choices: &Option<crate::opt::Choices<T>>) -> Vec<String> {
        choices.iter().flatten().filter_map(|(v, d)| d.as_ref().map(|d| format!("`{v}`: {d}"))).collect()
    }
    match t {
        OptType::String(s) => lines(&s.choices),
        OptType::Integer(n) | OptType::Port(n) => lines(&n.choices),
        OptType::Float(n) => lines(&n.choices),
        _ => Vec::new(),
    }
}

/// Config-file text as a typed JSON value for this option (text that
/// interpolates stays text); `None` for "no value".
fn typed(opt: &Opt, text: &str) -> Option<J> {
    if text.contains('$') {
        return Some(J::String(text.to_owned()));
    }
    match opt.parse(&RawValue::Str(text.to_owned())) {
        Ok(Some(v)) => Some(v.to_json(true)),
        Ok(None) => None,
        Err(_) => Some(J::String(text.to_owned())),
    }
}

/// The schemas of a compound deprecation's legacy parts.
fn compound_parts(c: &Compound) -> Vec<(String, J)> {
    let template: String = c
        .template
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.clone(),
            Segment::Part { name, .. } => format!("{{{name}}}"),
        })
        .collect();
    c.parts
        .iter()
        .map(|p| {
            let mut s = match type_schema(&p.opt_type) {
                J::Object(m) => m,
                _ => Map::new(),
            };
            let mut text = format!(
                "Deprecated: one of the legacy options that make `{}` when it is not set, as `{template}`; set `{}` \
                 instead.",
                c.target, c.target
            );
            if let Some(reason) = &c.reason {
                text.push(' ');
                text.push_str(reason);
            }
            s.insert("description".into(), J::String(text));
            s.insert("deprecated".into(), J::Bool(true));
            if let Ok(Some(v)) = p.opt_type.parse_str(&p.default) {
                s.insert("default".into(), v.to_json(true));
            }
            (p.name.clone(), J::Object(s))
        })
        .collect()
}

fn number<T: Copy + Into<J>>(kind: &str, n: &NumberType<T>) -> J {
    let mut s = Map::new();
    s.insert("type".into(), json!(kind));
    match &n.choices {
        Some(choices) => {
            s.insert("enum".into(), J::Array(choices.iter().map(|(v, _)| (*v).into()).collect()));
        }
        None => {
            if let Some(min) = n.min {
                s.insert("minimum".into(), min.into());
            }
            if let Some(max) = n.max {
                s.insert("maximum".into(), max.into());
            }
        }
    }
    J::Object(s)
}

/// A pattern that matches `word` in any case, for JSON Schema's regular
/// expressions (which have no case-insensitive flag).
fn any_case(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars() {
        if c.is_ascii_alphabetic() {
            out.push('[');
            out.push(c.to_ascii_uppercase());
            out.push(c.to_ascii_lowercase());
            out.push(']');
        } else if c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii() {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

fn string_schema(t: &StringType) -> J {
    let mut s = Map::new();
    s.insert("type".into(), json!("string"));
    if t.max_length > 0 {
        s.insert("maxLength".into(), json!(t.max_length));
    }
    if let Some(choices) = &t.choices {
        let values: Vec<J> = choices.iter().map(|(v, _)| json!(v)).collect();
        if t.ignore_case {
            // The listed spellings (for completion) or any other case.
            let alternatives: Vec<String> = choices.iter().map(|(v, _)| any_case(v)).collect();
            s.insert(
                "anyOf".into(),
                json!([{ "enum": values }, { "pattern": format!("^(?:{})$", alternatives.join("|")) }]),
            );
        } else {
            s.insert("enum".into(), J::Array(values));
        }
    }
    // A case-insensitive pattern cannot be written in JSON Schema's
    // dialect without rewriting it; it is left out (the loader checks it).
    if let Some(re) = t.regex.as_ref().filter(|_| !t.ignore_case) {
        s.insert("pattern".into(), json!(re.as_str()));
    }
    J::Object(s)
}

fn ip_formats(version: Option<IpVersion>) -> Vec<J> {
    match version {
        None => vec![json!({ "format": "ipv4" }), json!({ "format": "ipv6" })],
        Some(IpVersion::V4) => vec![json!({ "format": "ipv4" })],
        Some(IpVersion::V6) => vec![json!({ "format": "ipv6" })],
    }
}

/// The schema of a value of type `t`.
fn type_schema(t: &OptType) -> J {
    match t {
        OptType::String(s) => string_schema(s),
        OptType::Integer(n) | OptType::Port(n) => number("integer", n),
        OptType::Float(n) => {
            let mut s = Map::new();
            s.insert("type".into(), json!("number"));
            let f = |v: f64| serde_json::Number::from_f64(v).map(J::Number);
            match &n.choices {
                Some(choices) => {
                    s.insert("enum".into(), J::Array(choices.iter().filter_map(|(v, _)| f(*v)).collect()));
                }
                None => {
                    if let Some(min) = n.min.and_then(f) {
                        s.insert("minimum".into(), min);
                    }
                    if let Some(max) = n.max.and_then(f) {
                        s.insert("maximum".into(), max);
                    }
                }
            }
            J::Object(s)
        }
        OptType::Boolean => json!({ "type": "boolean" }),
        OptType::List(l) => {
            let mut array = Map::new();
            array.insert("type".into(), json!("array"));
            array.insert("items".into(), type_schema(&l.item));
            if l.min_length > 0 {
                array.insert("minItems".into(), json!(l.min_length));
            }
            json!({ "anyOf": [array, { "type": "string", "description": "Comma-separated items." }] })
        }
        OptType::Dict(d) => {
            let mut object = Map::new();
            object.insert("type".into(), json!("object"));
            object.insert("additionalProperties".into(), type_schema(&d.value));
            if d.min_length > 0 {
                object.insert("minProperties".into(), json!(d.min_length));
            }
            let text = format!("Comma-separated key{}value pairs.", d.separator);
            json!({ "anyOf": [object, { "type": "string", "description": text }] })
        }
        OptType::IpAddress(v) => match ip_formats(*v).as_slice() {
            [one] => json!({ "type": "string", "format": one["format"] }),
            many => json!({ "type": "string", "anyOf": many }),
        },
        OptType::HostAddress(v) => {
            let mut any = ip_formats(*v);
            any.push(json!({ "format": "hostname" }));
            json!({ "type": "string", "anyOf": any })
        }
        // Host names with `_` (SRV records) are not `hostname`s.
        OptType::HostDomain(_) => json!({ "type": "string" }),
        OptType::Hostname => json!({ "type": "string", "format": "hostname" }),
        OptType::Uri(u) => {
            let mut s = Map::new();
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("uri"));
            if let Some(max) = u.max_length {
                s.insert("maxLength".into(), json!(max));
            }
            if !u.schemes.is_empty() {
                let schemes: Vec<String> = u.schemes.iter().map(|s| any_case(s)).collect();
                s.insert("pattern".into(), json!(format!("^(?:{}):", schemes.join("|"))));
            }
            J::Object(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opt::{DeprecatedName, UriType};

    fn reg() -> Registry {
        let mut r = Registry::new();
        r.register_group("app", "The application.");
        r.register_opts(
            "app",
            [
                Opt::new("port", OptType::port()).default("9292"),
                Opt::new("ratio", OptType::float()).default("0.5"),
                Opt::new("hosts", OptType::list_of(OptType::host_address())).default("a,b"),
                Opt::new("limits", OptType::dict_of(OptType::integer())).default("a:1"),
                Opt::multi_string("hook"),
                Opt::new("url", OptType::Uri(UriType { schemes: vec!["https".into()], max_length: Some(200) })),
                Opt::string("password").secret().default("changeme"),
                Opt::string("old").deprecated_for_removal(Some("Gone."), Some("Zed")),
                Opt::string("renamed").deprecated_name(DeprecatedName::name_in_group("legacy", "OldApp")),
                Opt::new("collect-timing", OptType::boolean()),
            ],
        )
        .unwrap();
        r
    }

    #[test]
    fn types_and_marks() {
        let s = json_schema(&reg(), "t");
        assert_eq!(s["$schema"], DRAFT);
        let app = &s["properties"]["app"];
        assert_eq!(app["additionalProperties"], false);
        let p = &app["properties"];
        assert_eq!(p["port"], json!({"type": "integer", "minimum": 0, "maximum": 65535, "default": 9292}));
        assert_eq!(p["ratio"]["default"], 0.5);
        assert_eq!(p["hosts"]["anyOf"][0]["items"]["anyOf"][2]["format"], "hostname");
        assert_eq!(p["hosts"]["default"], json!(["a", "b"]));
        assert_eq!(p["limits"]["default"], json!({"a": 1}));
        assert_eq!(p["hook"]["anyOf"][0]["type"], "array");
        assert_eq!(p["url"]["pattern"], "^(?:[Hh][Tt][Tt][Pp][Ss]):");
        assert_eq!(p["password"]["writeOnly"], true);
        assert_eq!(p["password"][SECRET_KEYWORD], true);
        assert_eq!(p["password"]["default"], "changeme");
        assert_eq!(p["old"]["deprecated"], true);
        assert!(p["old"]["description"].as_str().unwrap().contains("since Zed. Gone."));
        assert_eq!(p["collect_timing"]["type"], "boolean");
        assert!(p["collect-timing"]["description"].as_str().unwrap().contains("collect_timing"));
        let old = &s["properties"]["oldapp"];
        assert_eq!(old["deprecated"], true);
        assert_eq!(old["properties"]["legacy"]["deprecated"], true);
        assert!(old["properties"]["legacy"]["description"].as_str().unwrap().contains("[app]"));
    }
}
