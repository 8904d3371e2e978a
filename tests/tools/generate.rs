//! Sample configurations: oslo-config-generator's INI layout, TOML, and
//! the machine-readable YAML and JSON.

use crate::common;

use common::*;
use stackauth::Loader;
use stackauth::opt::{DeprecatedName, Opt, OptType, RawValue, Registry};
use stackauth::source::Origin;
use stackauth::source::ini::IniDocument;
use stackauth::tools::generate::{GenerateOptions, SampleFormat, sample, sample_namespaces};

const KM: &str = "keystonemiddleware.auth_token";
const GROUP: &str = "keystone_authtoken";

fn km() -> Registry {
    stackauth::namespace::by_name(KM).expect("built-in namespace")
}

fn opts(format: SampleFormat) -> GenerateOptions {
    GenerateOptions { format, ..GenerateOptions::default() }
}

/// With stackauth's own notes (required, secret, legacy options).
fn annotated(format: SampleFormat) -> GenerateOptions {
    GenerateOptions { format, annotate: true, ..GenerateOptions::default() }
}

fn minimal(format: SampleFormat) -> GenerateOptions {
    GenerateOptions { format, minimal: true, ..GenerateOptions::default() }
}

/// A registry with every kind of option the sample has to show.
fn rich() -> Registry {
    let mut r = Registry::new();
    r.register_group("service_user", "Credentials of the service user.");
    r.register_opts(
        "DEFAULT",
        [
            Opt::string("state_path").default("/var/lib/app").help("Top-level directory for state."),
            Opt::string("lock_path").default("$state_path/lock").help("Lock files."),
            Opt::new("debug", OptType::boolean()).default("False").mutable().help("Debug logging."),
            Opt::new("workers", OptType::integer_range(Some(1), None)).sample_default("4").help("Workers."),
            Opt::new("ratio", OptType::float()).default("0.5").help("A ratio."),
            Opt::new("bind_port", OptType::port()).default("9292").help("Port."),
            Opt::new("hosts", OptType::list()).default("a.example,b.example").help("Hosts."),
            Opt::new("limits", OptType::dict_of(OptType::integer())).default("cpu:2,mem:512").help("Limits."),
            Opt::multi_string("hook").default("audit").help("Hooks to run."),
            Opt::multi_string("extra").help("Extra values."),
            Opt::string("motd").default("  padded  ").help("Message of the day."),
            Opt::string("tuning").advanced().default("auto").help("Tuning knob."),
        ],
    )
    .expect("valid");
    r.register_opts(
        "service_user",
        [
            Opt::new("auth_url", OptType::uri()).required().default("https://keystone.example:5000/v3").help("URL."),
            Opt::string("username")
                .deprecated_name(DeprecatedName::name("user_name"))
                .deprecated_name(DeprecatedName::group("old_service_user"))
                .help("User name."),
            Opt::string("password").secret().default("changeme").help("Password."),
            Opt::string("auth_type").help("Authentication type to load"),
            Opt::string("legacy").deprecated_for_removal(Some("Not used."), None).help("Old."),
        ],
    )
    .expect("valid");
    r
}

// ---------------------------------------------------------------------------------------------------------
// INI
// ---------------------------------------------------------------------------------------------------------

#[test]
fn ini_keystonemiddleware_sample() {
    let ini = sample(&km(), &annotated(SampleFormat::Ini));
    assert!(ini.starts_with("[DEFAULT]\n\n\n[keystone_authtoken]\n"), "{ini}");
    assert!(ini.contains("\n#www_authenticate_uri = <None>\n"));
    assert!(ini.contains(
        "# client support in the wild varies. (string value)\n\
         # Deprecated group/name - [keystone_authtoken]/auth_uri\n\
         #www_authenticate_uri = <None>\n"
    ));
    assert!(ini.contains(
        "# string is used for key derivation. (string value)\n\
         # This option is secret: it is never shown in logs or output.\n\
         #memcache_secret_key = <None>\n"
    ));
    assert!(ini.contains(
        "# Possible values:\n# None - <No description provided>\n# MAC - <No description provided>\n\
         # ENCRYPT - <No description provided>\n#memcache_security_strategy = None\n"
    ));
    // Removed options keep their removal notice.
    assert!(ini.contains("# DEPRECATED: Service username. (string value)\n"));
    assert!(ini.contains("# This option is deprecated for removal since Mitaka.\n# Its value may be silently ignored"));
    // The legacy parts of identity_uri are described under it.
    let identity = ini.find("#identity_uri = <None>").expect("identity_uri");
    let legacy = ini.find("# Deprecated legacy options - [keystone_authtoken]/auth_protocol,").expect("legacy");
    assert!(legacy < identity);
    // Every line is a comment, blank, or a header; none is longer than
    // oslo's 70 columns unless it is one unbreakable word.
    for line in ini.lines() {
        assert!(line.is_empty() || line.starts_with('#') || line.starts_with('['), "{line:?}");
        if line.chars().count() > 70 {
            assert!(!line[2..].contains(' '), "{line:?} is too long");
        }
    }
}

/// Blocks copied from the real `oslo-config-generator --namespace
/// keystonemiddleware.auth_token` (oslo.config 10.7.0, keystonemiddleware
/// 13.0.1) for options whose declarations match ours exactly.
const OSLO_GOLDEN: &[&str] = &[
    "\n\
# Do not handle authorization requests within the middleware, but
# delegate the authorization decision to downstream WSGI components.
# (boolean value)
#delay_auth_decision = false
",
    "\n\
# Optionally specify a list of memcached server(s) to use for caching.
# If left undefined, tokens will instead be cached in-process. (list
# value)
# Deprecated group/name - [keystone_authtoken]/memcache_servers
#memcached_servers = <None>
",
    "\n\
# (Optional) If defined, indicate whether token data should be
# authenticated or authenticated and encrypted. If MAC, token data is
# authenticated (with HMAC) in the cache. If ENCRYPT, token data is
# encrypted and authenticated in the cache. If the value is not one of
# these options or empty, auth_token will raise an exception on
# initialization. (string value)
# Possible values:
# None - <No description provided>
# MAC - <No description provided>
# ENCRYPT - <No description provided>
#memcache_security_strategy = None
",
    "\n\
# When set to True, service tokens must contain a role from the
# service_token_roles list to be considered valid. This prevents end-
# user tokens from being used as service tokens and ensures proper
# service-to-service authentication. Setting this to False is NOT
# RECOMMENDED as it allows any valid token to be used as a service
# token, which can bypass access-rule checks and weaken composite-auth
# protections. (boolean value)
#service_token_roles_required = true
",
    "\n\
# A choice of roles that must be present in a service token. Service
# tokens are allowed to request that an expired token can be used and
# so this check should tightly control that only actual services
# should be sending this token. Roles here are applied as an ANY check
# so any role in this list must be present. For backwards
# compatibility reasons this currently only affects the allow_expired
# check. (list value)
#service_token_roles = service
",
    "\n\
# Authentication type to load (string value)
# Deprecated group/name - [keystone_authtoken]/auth_plugin
#auth_type = <None>
",
];

#[test]
fn ini_blocks_match_oslo_config_generator() {
    let ini = sample_namespaces(&[(KM, &km())], &opts(SampleFormat::Ini));
    assert!(ini.starts_with(
        "[DEFAULT]\n\n\n[keystone_authtoken]\n# Options of keystonemiddleware's auth_token middleware: how it\n"
    ));
    assert!(ini.contains("\n#\n# From keystonemiddleware.auth_token\n#\n\n# Complete \"public\" Identity API"));
    for block in OSLO_GOLDEN {
        assert!(ini.contains(block), "block not found:\n{block}\nin:\n{ini}");
    }
    // The unnamed form has no banner.
    assert!(!sample(&km(), &opts(SampleFormat::Ini)).contains("# From "));
}

#[test]
fn notes_only_when_annotated() {
    // oslo-config-generator's layout by default: no notes of stackauth's.
    let plain = sample(&rich(), &opts(SampleFormat::Ini));
    for note in ["# This option is required.", "# This option is secret", "# Deprecated legacy options"] {
        assert!(!plain.contains(note), "{note} in the default sample");
    }
    assert!(!sample(&km(), &opts(SampleFormat::Ini)).contains("# Deprecated legacy options"));
    let annotated = sample(&rich(), &annotated(SampleFormat::Ini));
    assert!(annotated.contains("# This option is required.") && annotated.contains("# This option is secret"));
}

#[test]
fn ini_sample_parses_and_loads_as_all_defaults() {
    for reg in [km(), rich()] {
        let ini = sample(&reg, &opts(SampleFormat::Ini));
        let doc = IniDocument::parse(&ini).unwrap_or_else(|e| panic!("{e:?}\n{ini}"));
        assert_eq!(doc.entries().count(), 0, "the sample sets nothing");
        assert_eq!(doc.to_string(), ini);
        let dir = Dir::new();
        let path = dir.write("sample.conf", &ini);
        let snap = Loader::new(&reg).config_file(&path).load().unwrap_or_else(|e| panic!("{e}"));
        assert!(snap.unknown().is_empty());
        for group in reg.groups() {
            for opt in group.opts() {
                if let Some(r) = snap.get(group.name(), opt.dest()) {
                    assert!(matches!(r.origin, Origin::Default), "{} {:?}", opt.dest(), r.origin);
                }
            }
        }
    }
}

#[test]
fn ini_layout_of_the_less_common_options() {
    let ini = sample(&rich(), &annotated(SampleFormat::Ini));
    // DEFAULT first, then the groups by name, two blank lines between.
    assert!(
        ini.starts_with("[DEFAULT]\n\n# Top-level directory for state. (string value)\n#state_path = /var/lib/app\n")
    );
    assert!(ini.contains("\n\n\n[service_user]\n# Credentials of the service user.\n\n# URL. (uri value)\n"));
    assert!(ini.contains("#lock_path = $state_path/lock\n"));
    assert!(ini.contains(
        "# Debug logging. (boolean value)\n# Note: This option can be changed without restarting.\n#debug = false\n"
    ));
    assert!(ini.contains(
        "# Workers. (integer value)\n# Minimum value: 1\n#\n# This option has a sample default set, which means that\n\
         # its actual default value may vary from the one documented\n# below.\n#workers = 4\n"
    ));
    assert!(ini.contains("# Port. (port value)\n# Minimum value: 0\n# Maximum value: 65535\n#bind_port = 9292\n"));
    assert!(ini.contains("#hosts = a.example,b.example\n"));
    assert!(ini.contains("#limits = cpu:2,mem:512\n"));
    assert!(ini.contains("# Hooks to run. (multi valued)\n#hook = audit\n"));
    assert!(ini.contains("# Extra values. (multi valued)\n#extra =\n"));
    assert!(ini.contains("#motd = \"  padded  \"\n"));
    assert!(
        ini.contains("# URL. (uri value)\n# This option is required.\n#auth_url = https://keystone.example:5000/v3\n")
    );
    assert!(ini.contains(
        "# User name. (string value)\n# Deprecated group/name - [service_user]/user_name\n\
         # Deprecated group/name - [old_service_user]/username\n"
    ));
    assert!(ini.contains(
        "# Password. (string value)\n# This option is secret: it is never shown in logs or output.\n#password = changeme\n"
    ));
    assert!(ini.contains(
        "# DEPRECATED: Old. (string value)\n# This option is deprecated for removal.\n\
         # Its value may be silently ignored in the future.\n# Reason: Not used.\n#legacy = <None>\n"
    ));
    // Advanced options come last in their group.
    let tuning = ini.find("#tuning = auto").expect("tuning");
    let motd = ini.find("#motd =").expect("motd");
    let service_user = ini.find("[service_user]").expect("group");
    assert!(motd < tuning && tuning < service_user);
    assert!(
        ini.contains("# Tuning knob. (string value)\n# Advanced Option: intended for advanced users and not used\n")
    );
}

#[test]
fn minimal_keeps_required_options_and_those_without_a_default() {
    let reg = km();
    let ini = sample(&reg, &minimal(SampleFormat::Ini));
    for opt in reg.group(GROUP).expect("group").opts() {
        let line = format!("#{} = ", opt.dest());
        assert_eq!(ini.contains(&line), opt.default_text().is_none(), "{}:\n{ini}", opt.dest());
    }
    assert!(!ini.contains("token_cache_time"));
    assert!(ini.contains("#www_authenticate_uri = <None>\n"));

    // Required options are assignments, as with oslo's --minimal.
    let ini = sample(&rich(), &minimal(SampleFormat::Ini));
    assert!(ini.contains("\nauth_url = https://keystone.example:5000/v3\n"), "{ini}");
    assert!(ini.contains("\n#username = <None>\n"));
    assert!(!ini.contains("state_path"));
    assert!(!ini.contains("#password"));
    let dir = Dir::new();
    let path = dir.write("minimal.conf", &ini);
    let snap = load_file(&rich(), &path).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(snap.get("service_user", "auth_url").expect("set").origin, Origin::File(_)));

    let toml_text = sample(&rich(), &minimal(SampleFormat::Toml));
    assert!(toml_text.contains("\nauth_url = \"https://keystone.example:5000/v3\"\n"), "{toml_text}");
    assert!(!toml_text.contains("state_path"));
    let json: serde_json::Value = serde_json::from_str(&sample(&reg, &minimal(SampleFormat::Json))).expect("json");
    let shown = json["options"][GROUP]["opts"].as_array().expect("opts");
    assert!(shown.iter().all(|o| o["default"].is_null() || o["required"] == true));
    assert_eq!(json["generator_options"]["minimal"], true);
}

// ---------------------------------------------------------------------------------------------------------
// TOML
// ---------------------------------------------------------------------------------------------------------

/// The sample with every `# name = value` line that has a value
/// uncommented (the last line of each option's block).
fn uncomment_toml(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let last_of_block = lines.get(i + 1).is_none_or(|next| next.is_empty());
        match line.strip_prefix("# ") {
            Some(assign) if last_of_block && assign.contains(" = ") && !assign.ends_with(" = <None>") => {
                out.push(assign)
            }
            _ => out.push(line),
        }
    }
    out.join("\n")
}

#[test]
fn toml_sample_parses_as_is_and_uncommented() {
    for reg in [km(), rich()] {
        let sampled = sample(&reg, &opts(SampleFormat::Toml));
        let table: toml::Table = toml::from_str(&sampled).unwrap_or_else(|e| panic!("{e}\n{sampled}"));
        for group in table.values() {
            assert!(group.as_table().is_some_and(|t| t.is_empty()), "the sample sets nothing");
        }
        let uncommented = uncomment_toml(&sampled);
        let table: toml::Table = toml::from_str(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert!(!table.is_empty());
        let dir = Dir::new();
        let path = dir.write("sample.toml", &uncommented);
        let snap = load_file(&reg, &path).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert!(snap.unknown().is_empty());
        for group in reg.groups() {
            for opt in group.opts() {
                let Some(shown) = opt.sample_default_text().or(opt.default_text()) else { continue };
                let r = snap.get(group.name(), opt.dest()).unwrap_or_else(|| panic!("{} unset", opt.dest()));
                assert!(matches!(r.origin, Origin::File(_)), "{} not read from the sample", opt.dest());
                if !shown.contains('$') {
                    let expected = opt.parse(&RawValue::Str(shown.to_owned())).expect("valid").expect("a value");
                    assert_eq!(r.value.as_ref(), Some(&expected), "{}", opt.dest());
                }
            }
        }
        if reg.find("DEFAULT", "lock_path").is_some() {
            assert_eq!(text(&snap, "DEFAULT", "lock_path"), "/var/lib/app/lock");
        }
    }
}

#[test]
fn toml_values_are_native() {
    let text = sample(
        &rich(),
        &GenerateOptions {
            format: SampleFormat::Toml,
            schema_url: Some("../schema/app.json".into()),
            ..GenerateOptions::default()
        },
    );
    assert!(text.starts_with("#:schema ../schema/app.json\n\n[DEFAULT]\n\n# Top-level directory"), "{text}");
    for line in [
        "# debug = false",
        "# ratio = 0.5",
        "# bind_port = 9292",
        "# workers = 4",
        "# hosts = [\"a.example\", \"b.example\"]",
        "# limits = { cpu = 2, mem = 512 }",
        "# hook = [\"audit\"]",
        "# extra = <None>",
        "# motd = \"  padded  \"",
        "# lock_path = \"$state_path/lock\"",
        "# password = \"changeme\"",
        "# username = <None>",
    ] {
        assert!(text.contains(&format!("\n{line}\n")), "{line:?} missing:\n{text}");
    }
    assert!(text.contains("\n\n[service_user]\n# Credentials of the service user.\n"));
    assert!(text.contains("# Deprecated group/name - [service_user]/user_name\n"));
    let km_toml = sample(&km(), &opts(SampleFormat::Toml));
    assert!(km_toml.starts_with("[keystone_authtoken]\n"), "an empty DEFAULT table is left out");
    assert!(km_toml.contains("\n# memcache_security_strategy = \"None\"\n"));
    assert!(km_toml.contains("\n# service_token_roles = [\"service\"]\n"));
}

// ---------------------------------------------------------------------------------------------------------
// YAML and JSON
// ---------------------------------------------------------------------------------------------------------

/// The fields of an option entry, as oslo-config-generator's
/// `_build_entry` writes them for a plain `cfg.Opt`.
const ENTRY_FIELDS: &[&str] = &[
    "advanced",
    "choices",
    "default",
    "deprecated_for_removal",
    "deprecated_opts",
    "deprecated_reason",
    "deprecated_since",
    "dest",
    "help",
    "max",
    "metavar",
    "min",
    "mutable",
    "name",
    "namespace",
    "positional",
    "required",
    "sample_default",
    "secret",
    "short",
    "type",
];

#[test]
fn json_sample_has_oslo_structure() {
    let reg = km();
    let text = sample_namespaces(&[(KM, &reg)], &opts(SampleFormat::Json));
    assert!(text.ends_with("}\n") && text.lines().count() == 1, "one line, as json.dumps");
    assert!(text.starts_with("{\"deprecated_options\": {\"keystone_authtoken\": [{\"name\": \"auth_uri\", "));
    let data: serde_json::Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<&String> = data.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["deprecated_options", "generator_options", "options"]);
    assert_eq!(data["generator_options"]["namespace"], serde_json::json!([KM]));
    assert_eq!(data["generator_options"]["wrap_width"], 70);
    assert_eq!(data["options"]["DEFAULT"], serde_json::json!({"help": "", "opts": [], "standard_opts": []}));
    let group = &data["options"][GROUP];
    let entries = group["opts"].as_array().expect("opts");
    assert_eq!(entries.len(), reg.group(GROUP).expect("group").opts().len());
    assert_eq!(group["standard_opts"].as_array().expect("names").len(), entries.len());
    assert_eq!(group["driver_opts"], serde_json::json!({}));
    for e in entries {
        let fields: Vec<&String> = e.as_object().expect("entry").keys().collect();
        assert_eq!(fields, ENTRY_FIELDS, "{}", e["name"]);
        assert_eq!(e["namespace"], KM);
    }
    let by_name = |n: &str| entries.iter().find(|e| e["name"] == n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(by_name("token_cache_time")["default"], 300);
    assert_eq!(by_name("insecure")["default"], false);
    assert_eq!(by_name("service_token_roles")["default"], serde_json::json!(["service"]));
    assert_eq!(by_name("www_authenticate_uri")["default"], serde_json::Value::Null);
    assert_eq!(
        by_name("memcache_security_strategy")["choices"],
        serde_json::json!([["None", null], ["MAC", null], ["ENCRYPT", null]])
    );
    assert_eq!(by_name("memcache_secret_key")["secret"], true);
    assert_eq!(by_name("admin_user")["deprecated_for_removal"], true);
    assert_eq!(by_name("admin_user")["deprecated_since"], "Mitaka");
    assert_eq!(
        by_name("memcached_servers")["deprecated_opts"],
        serde_json::json!([{"group": GROUP, "name": "memcache_servers"}])
    );
    let deprecated = data["deprecated_options"][GROUP].as_array().expect("deprecated");
    assert!(deprecated.contains(&serde_json::json!({
        "name": "auth_plugin", "replacement_group": GROUP, "replacement_name": "auth_type"
    })));

    // Without a namespace name.
    let data: serde_json::Value = serde_json::from_str(&sample(&rich(), &opts(SampleFormat::Json))).expect("json");
    assert_eq!(data["generator_options"]["namespace"], serde_json::json!([]));
    let d = data["options"]["DEFAULT"]["opts"].as_array().expect("opts");
    let e = |n: &str| d.iter().find(|e| e["name"] == n).unwrap_or_else(|| panic!("{n}")).clone();
    assert_eq!(e("limits")["default"], serde_json::json!({"cpu": 2, "mem": 512}));
    assert_eq!(e("ratio")["default"], 0.5);
    assert_eq!(e("bind_port")["min"], 0);
    assert_eq!(e("bind_port")["max"], 65535);
    assert_eq!(e("hook")["default"], serde_json::json!(["audit"]));
    assert_eq!(e("hook")["type"], "multi valued");
    assert_eq!(e("workers")["sample_default"], "4");
    assert_eq!(e("lock_path")["default"], "$state_path/lock");
    assert_eq!(e("ratio")["namespace"], serde_json::Value::Null);
    let moved = data["deprecated_options"]["old_service_user"].as_array().expect("moved group");
    assert_eq!(moved[0]["replacement_group"], "service_user");
    assert_eq!(e("debug")["mutable"], true);
}

#[test]
fn yaml_sample_has_oslo_layout() {
    let reg = km();
    let yaml = sample_namespaces(&[(KM, &reg)], &opts(SampleFormat::Yaml));
    assert!(yaml.starts_with("deprecated_options:\n  keystone_authtoken:\n  - name: auth_uri\n"), "{yaml}");
    assert!(yaml.contains("\ngenerator_options:\n  config_dir: []\n"));
    assert!(yaml.contains("\n  format_: yaml\n"));
    assert!(yaml.contains("\noptions:\n  DEFAULT:\n    help: \"\"\n    opts: []\n    standard_opts: []\n"));
    assert!(yaml.contains(
        "\n    - advanced: false\n      choices:\n      - - None\n        - null\n      - - MAC\n        - null\n"
    ));
    assert!(yaml.contains("\n      default: 300\n"));
    assert!(yaml.contains("\n      type: integer value\n"));
    let entries = yaml.matches("\n    - advanced: ").count();
    assert_eq!(entries, reg.len());
}

/// PyYAML reads the YAML sample as the same data as the JSON one (when a
/// python3 with PyYAML is at hand).
#[test]
fn yaml_reads_back_as_the_json_data() {
    let (rich, km, odd) = (rich(), km(), odd());
    let cases = [(&km, Some(KM)), (&rich, None), (&odd, None)];
    for (reg, ns) in cases {
        let (yaml, json) = match ns {
            Some(ns) => (
                sample_namespaces(&[(ns, reg)], &opts(SampleFormat::Yaml)),
                sample_namespaces(&[(ns, reg)], &opts(SampleFormat::Json)),
            ),
            None => (sample(reg, &opts(SampleFormat::Yaml)), sample(reg, &opts(SampleFormat::Json))),
        };
        let dir = Dir::new();
        let y = dir.write("s.yaml", &yaml);
        let script = "import json, sys, yaml\n\
                      y = yaml.safe_load(open(sys.argv[1]))\n\
                      y['generator_options'].pop('format_')\n\
                      print(json.dumps(y, sort_keys=True))\n";
        // PyYAML comes with the tests' Keystone venv.
        let Some(python) = crate::common::python::venv_python("PyYAML reading the YAML sample") else { return };
        let out = std::process::Command::new(python).arg("-c").arg(script).arg(&y).output().expect("python runs");
        assert!(
            out.status.success(),
            "PyYAML could not read the sample: {}\n{yaml}",
            String::from_utf8_lossy(&out.stderr)
        );
        let from_yaml: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json from python");
        let mut from_json: serde_json::Value = serde_json::from_str(&json).expect("json");
        from_json["generator_options"].as_object_mut().expect("object").remove("format_");
        assert_eq!(from_yaml, from_json);
    }
}

#[test]
fn secrets_show_only_their_defaults() {
    let mut reg = Registry::new();
    reg.register_opts("g", [Opt::string("token").secret(), Opt::string("key").secret().default("dflt")])
        .expect("valid");
    for format in [SampleFormat::Ini, SampleFormat::Toml, SampleFormat::Yaml, SampleFormat::Json] {
        let text = sample(&reg, &opts(format));
        assert!(text.contains("dflt"), "{format:?}: a default is shown");
        assert!(!text.contains("****"), "{format:?}");
    }
}

/// Text that needs quoting or escaping in every format.
fn odd() -> Registry {
    let mut reg = Registry::new();
    reg.register_group("odd", "Tabs\tand\x01controls\x7f, quotes \" and 'single', a # and: colon");
    reg.register_opts(
        "odd",
        [
            Opt::string("text")
                .default("say \"hi\" \\ $$ ünïcode")
                .help("Line one.\r\nLine two\x02.\n\nAfter a blank."),
            Opt::string("yes").default("yes").help("- starts like a list item: {x}"),
            Opt::new("nums", OptType::list_of(OptType::float())).default("1,2.5,-0").help("Floats."),
        ],
    )
    .expect("valid");
    reg
}

#[test]
fn odd_text_stays_valid() {
    let reg = odd();
    let ini = sample(&reg, &opts(SampleFormat::Ini));
    IniDocument::parse(&ini).unwrap_or_else(|e| panic!("{e:?}\n{ini}"));
    assert!(ini.contains("# Line one.\n# Line two\x02.\n#\n# After a blank. (string value)\n"), "{ini}");
    let toml_text = sample(&reg, &opts(SampleFormat::Toml));
    toml::from_str::<toml::Table>(&toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}"));
    let uncommented = uncomment_toml(&toml_text);
    let table: toml::Table = toml::from_str(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    assert_eq!(table["odd"]["text"].as_str(), Some("say \"hi\" \\ $$ ünïcode"));
    assert_eq!(table["odd"]["nums"].as_array().map(Vec::len), Some(3));
    let json = sample(&reg, &opts(SampleFormat::Json));
    assert!(json.is_ascii(), "non-ASCII is escaped, as json.dumps does");
    let data: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(data["options"]["odd"]["opts"][0]["default"], "say \"hi\" \\ $$ ünïcode");
    assert_eq!(data["options"]["odd"]["opts"][2]["default"], serde_json::json!([1.0, 2.5, -0.0]));
}
