//! Importing `oslo-config-generator --format yaml|json` output: keystone's
//! real data (tests/data/optdata, see its README.md), spot checks against
//! what the file says, and broken files.

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use stackauth::Loader;
use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::{DeprecatedName, OptType, RawValue, Registry, Value};
use stackauth::tools::optdata::{self, OptData};

fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/optdata").join(name)
}

fn keystone(ext: &str) -> OptData {
    let path = data_file(&format!("keystone.{ext}"));
    optdata::read_data(&path).unwrap_or_else(|e| panic!("{} does not import: {e:#?}", path.display()))
}

fn registry() -> Registry {
    optdata::read(&data_file("keystone.yaml")).expect("keystone.yaml imports")
}

fn line_of(d: &Diagnostic) -> u32 {
    d.origin.as_ref().and_then(|o| o.location()).map_or(0, |l| l.line)
}

/// Groups and options as the file counts them, found without the importer:
/// from the JSON with serde_json, and from the YAML's layout.
fn counts_in_files() -> ((usize, usize), (usize, usize)) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_file("keystone.json")).expect("read")).expect("JSON");
    let groups = json["options"].as_object().expect("options");
    let json_counts = (groups.len(), groups.values().map(|g| g["opts"].as_array().expect("opts").len()).sum());

    let yaml = std::fs::read_to_string(data_file("keystone.yaml")).expect("read");
    let options = yaml.lines().skip_while(|l| *l != "options:").skip(1);
    // Groups are the keys indented by two; each option's `name` key sits
    // at the option mapping's indent (deprecated_opts' names are deeper).
    let yaml_groups = options.clone().filter(|l| l.starts_with("  ") && !l[2..].starts_with([' ', '-'])).count();
    let yaml_opts = options.filter(|l| l.starts_with("      name: ")).count();
    (json_counts, (yaml_groups, yaml_opts))
}

#[test]
fn keystone_imports_every_group_and_option() {
    let data = keystone("yaml");
    let (json_counts, yaml_counts) = counts_in_files();
    assert_eq!(json_counts, yaml_counts, "the two generated files describe the same options");
    assert_eq!((data.registry.groups().len(), data.registry.len()), yaml_counts);
    assert!(data.registry.len() > 200, "a whole service: {} options", data.registry.len());
    assert!(data.registry.group("DEFAULT").is_some());

    // The namespaces the generator was run with (see the data's README).
    for ns in ["keystone", "keystonemiddleware.auth_token", "oslo.log"] {
        assert!(data.namespaces.iter().any(|n| n == ns), "{ns} in {:?}", data.namespaces);
    }

    // What did not map cleanly is said, option by option, and nothing else.
    let mut warned: Vec<(String, String, Code)> = data
        .warnings
        .iter()
        .map(|w| (w.group.clone().unwrap_or_default(), w.option.clone().unwrap_or_default(), w.code))
        .collect();
    warned.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(warned, [("DEFAULT".into(), "notification_opt_out".into(), Code::OptData)], "{:#?}", data.warnings);
    assert!(data.warnings.iter().all(|w| !w.is_error() && line_of(w) > 0));
}

#[test]
fn json_gives_the_same_registry_as_yaml() {
    let yaml = keystone("yaml");
    let json = keystone("json");
    assert_eq!(yaml.registry, json.registry);
    assert_eq!(yaml.namespaces, json.namespaces);
    assert_eq!(yaml.deprecated_options, json.deprecated_options);
    let messages = |d: &OptData| d.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>();
    assert_eq!(messages(&yaml), messages(&json));
    // parse() detects the format from the text.
    let text = std::fs::read_to_string(data_file("keystone.json")).expect("read");
    assert_eq!(optdata::parse(&text, Path::new("x.yaml")).expect("imports"), yaml.registry);
}

#[test]
fn secrets_are_secret() {
    let reg = registry();
    for (group, name) in [
        ("DEFAULT", "admin_token"),
        ("DEFAULT", "transport_url"),
        ("database", "connection"),
        ("keystone_authtoken", "memcache_secret_key"),
        ("ldap", "password"),
    ] {
        let opt = reg.find(group, name).unwrap_or_else(|| panic!("[{group}] {name}"));
        assert!(opt.is_secret(), "[{group}] {name}");
    }
    assert!(!reg.find("DEFAULT", "debug").expect("debug").is_secret());
}

#[test]
fn bounds_and_choices_are_checked() {
    let reg = registry();
    let parse = |group: &str, name: &str, text: &str| {
        reg.find(group, name).unwrap_or_else(|| panic!("[{group}] {name}")).parse(&RawValue::Str(text.into()))
    };

    // [database] connection_debug: min 0, max 100.
    let debug = reg.find("database", "connection_debug").expect("connection_debug");
    assert_eq!(debug.opt_type(), &OptType::integer_range(Some(0), Some(100)));
    assert_eq!(debug.default_text(), Some("0"));
    assert_eq!(parse("database", "connection_debug", "100"), Ok(Some(Value::Int(100))));
    assert!(parse("database", "connection_debug", "101").unwrap_err().contains("less than or equal to 100"));
    assert!(parse("database", "connection_debug", "-1").is_err());
    // [identity] max_password_length: max only.
    assert!(parse("identity", "max_password_length", "4097").is_err());
    assert!(parse("identity", "max_password_length", "4096").is_ok());

    // [DEFAULT] log_rotation_type: choices with descriptions.
    let rotation = reg.find("DEFAULT", "log_rotation_type").expect("log_rotation_type");
    let OptType::String(s) = rotation.opt_type() else { panic!("a string option") };
    let choices = s.choices.as_ref().expect("choices");
    assert_eq!(choices.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["interval", "size", "none"]);
    assert_eq!(choices[1].1.as_deref(), Some("Rotate logs once they reach a predefined size."));
    assert!(parse("DEFAULT", "log_rotation_type", "size").is_ok());
    assert!(parse("DEFAULT", "log_rotation_type", "weekly").unwrap_err().contains("valid values are"));

    // [DEFAULT] log_rotate_interval_type: choices `Days`..., default `days`:
    // oslo.log's ignore_case, shown by its default.
    let interval = reg.find("DEFAULT", "log_rotate_interval_type").expect("log_rotate_interval_type");
    assert_eq!(interval.default_text(), Some("days"));
    assert!(parse("DEFAULT", "log_rotate_interval_type", "MIDNIGHT").is_ok());

    // Other types.
    assert_eq!(reg.find("DEFAULT", "public_endpoint").expect("public_endpoint").opt_type(), &OptType::uri());
    assert!(parse("DEFAULT", "public_endpoint", "not a uri").is_err());
    assert_eq!(reg.find("cache", "socket_timeout").expect("socket_timeout").default_text(), Some("1.0"));
    assert_eq!(reg.find("DEFAULT", "debug").expect("debug").default_text(), Some("false"));
    let methods = reg.find("auth", "methods").expect("methods");
    assert_eq!(methods.opt_type(), &OptType::list());
    assert_eq!(
        methods.default_text(),
        Some("external,password,token,oauth1,mapped,application_credential,ec2credential")
    );
    let dirs = reg.find("oslo_policy", "policy_dirs").expect("policy_dirs");
    assert!(dirs.is_multi());
    assert_eq!(dirs.default_text(), Some("policy.d"));
    // Two default values do not fit one default: dropped, with the warning
    // checked above.
    let opt_out = reg.find("DEFAULT", "notification_opt_out").expect("notification_opt_out");
    assert!(opt_out.is_multi() && opt_out.default_text().is_none());
    // A computed default with its sample default.
    let host = reg.find("oslo_messaging_rabbit", "hostname").expect("hostname");
    assert_eq!(host.sample_default_text(), Some("node1.example.com"));
    // The required option of the optional tracing middleware.
    assert!(reg.find("oslo_middleware_tracing", "service_name").expect("service_name").is_required());
}

#[test]
fn deprecations_are_imported() {
    let data = keystone("yaml");
    let reg = &data.registry;
    let names = |group: &str, name: &str| reg.find(group, name).expect("registered").deprecated_names().to_vec();
    assert_eq!(names("keystone_authtoken", "memcached_servers"), [DeprecatedName::name("memcache_servers")]);
    assert_eq!(names("resource", "caching"), [DeprecatedName::group("assignment")]);
    assert_eq!(names("revoke", "cache_time"), [DeprecatedName::name_in_group("revocation_cache_time", "token")]);
    // oslo.log's dashed names: files use the dest, the old name is kept.
    let append = reg.find("DEFAULT", "log_config_append").expect("log_config_append");
    assert_eq!((append.name(), append.dest()), ("log-config-append", "log_config_append"));
    assert_eq!(append.deprecated_names(), [DeprecatedName::name("log_config")]);

    // Every entry of deprecated_options is a deprecated name of its
    // replacement.
    assert!(!data.deprecated_options.is_empty());
    for d in &data.deprecated_options {
        let opt = reg.find(&d.replacement_group, &d.replacement_name).expect("replacement registered");
        let group = (d.group != d.replacement_group).then(|| d.group.clone());
        let name = (d.name.replace('-', "_") != opt.dest()).then(|| d.name.clone());
        assert!(opt.deprecated_names().contains(&DeprecatedName { name, group }), "{d:?}");
    }

    let removed = reg.find("DEFAULT", "max_param_size").expect("max_param_size").removal().expect("for removal");
    assert_eq!(removed.since.as_deref(), Some("2025.1"));
    assert!(removed.reason.as_deref().is_some_and(|r| !r.is_empty()));
}

#[test]
fn a_glance_config_loads_against_the_imported_registry() {
    let reg = registry();
    let d = Dir::new();
    let conf = d.write(
        "glance-api.conf",
        "[DEFAULT]\n\
         bind_port = 9292\n\
         debug = true\n\
         log_dir = /var/log/glance\n\
         max_db_limit = 500\n\
         [database]\n\
         connection = mysql+pymysql://glance:GLANCE_DBPASS@db/glance\n\
         connection_debug = 10\n\
         [keystone_authtoken]\n\
         www_authenticate_uri = http://controller:5000\n\
         auth_type = password\n\
         memcache_servers = controller1:11211,\n    controller2:11211\n\
         [oslo_middleware_tracing]\n\
         service_name = glance-api\n\
         [paste_deploy]\n\
         flavor = keystone\n",
    );
    let s = Loader::new(&reg).config_file(&conf).load().unwrap_or_else(|e| panic!("{:#?}", e.diagnostics()));
    assert_eq!(s.value("DEFAULT", "debug"), Some(&Value::Bool(true)));
    assert_eq!(s.value("DEFAULT", "max_db_limit"), Some(&Value::Int(500)));
    assert_eq!(s.value("database", "connection_debug"), Some(&Value::Int(10)));
    assert_eq!(text(&s, "DEFAULT", "log_dir"), "/var/log/glance");
    assert_eq!(text(&s, "keystone_authtoken", "auth_type"), "password");
    // A secret stays secret.
    assert_eq!(s.get("database", "connection").expect("connection").display_value(), "****");
    // The deprecated name is read (a list over two lines) and warned about.
    assert_eq!(
        s.value("keystone_authtoken", "memcached_servers"),
        Some(&Value::List(vec![Value::Str("controller1:11211".into()), Value::Str("controller2:11211".into())]))
    );
    assert_eq!(warnings_with(&s, Code::DeprecatedName).len(), 1);
    // Declared defaults apply.
    assert_eq!(s.value("DEFAULT", "max_token_size"), Some(&Value::Int(255)));
    assert_eq!(text(&s, "oslo_policy", "policy_file"), "policy.yaml");
    // What keystone's schema does not know is reported, not fatal.
    assert_eq!(warnings_with(&s, Code::UnknownOption).len(), 1, "bind_port");
    assert_eq!(warnings_with(&s, Code::UnknownGroup).len(), 1, "paste_deploy");

    // Out-of-range values are errors with their position.
    let bad = d.write("bad.conf", "[database]\nconnection_debug = 101\n[oslo_middleware_tracing]\nservice_name = g\n");
    let e = expect_err(Loader::new(&reg).config_file(&bad).load());
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!((errs[0].code, line_of(errs[0])), (Code::InvalidValue, 2));
}

#[test]
fn the_example_glance_config_needs_only_the_tracing_service_name() {
    // The generator lists the optional tracing middleware's options with
    // the rest; its one required option is required by the import too.
    let reg = registry();
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/conf/glance-api.conf");
    let e = expect_err(Loader::new(&reg).config_file(&conf).load());
    let errs = errors(&e);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].code, Code::MissingRequired);
    assert_eq!(
        (errs[0].group.as_deref(), errs[0].option.as_deref()),
        (Some("oslo_middleware_tracing"), Some("service_name"))
    );

    let s = Loader::new(&reg)
        .config_file(&conf)
        .set_default("oslo_middleware_tracing", "service_name", "glance-api")
        .load()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics()));
    assert_eq!(s.value("DEFAULT", "debug"), Some(&Value::Bool(false)));
    assert_eq!(text(&s, "DEFAULT", "log_dir"), "/var/log/glance");
}

#[test]
fn malformed_yaml_is_reported_with_its_line() {
    let yaml = std::fs::read_to_string(data_file("keystone.yaml")).expect("read");
    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
    let at = lines.iter().enumerate().skip(300).find(|(_, l)| l.starts_with("      name: ")).expect("an option").0;
    lines[at].push_str(": broken");
    let d = Dir::new();
    let path = d.write("broken.yaml", lines.join("\n"));
    let errs = optdata::read(&path).expect_err("malformed");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!((errs[0].code, line_of(&errs[0])), (Code::OptData, at as u32 + 1), "{}", errs[0]);
    assert!(errs[0].message.starts_with("invalid YAML: "), "{}", errs[0]);
    assert!(errs[0].to_string().contains(&format!("broken.yaml:{}:", at + 1)), "{}", errs[0]);

    // A tab where YAML wants spaces, in a small file.
    let path = d.write("tab.yaml", "options:\n  DEFAULT:\n    opts:\n\t- name: x\n");
    let errs = optdata::read(&path).expect_err("malformed");
    assert_eq!(line_of(&errs[0]), 4, "{}", errs[0]);
}

#[test]
fn other_broken_files() {
    let d = Dir::new();
    // Missing file.
    let errs = optdata::read(&d.path().join("missing.yaml")).expect_err("missing");
    assert_eq!((errs[0].code, errs[0].message.as_str()), (Code::Io, "file not found"));
    // Truncated JSON: its line and column.
    let json = std::fs::read_to_string(data_file("keystone.json")).expect("read");
    let path = d.write("cut.json", &json[..json.len() / 2]);
    let errs = optdata::read(&path).expect_err("truncated");
    assert_eq!(errs[0].code, Code::OptData);
    assert!(errs[0].message.starts_with("invalid JSON: "), "{}", errs[0]);
    assert_eq!(line_of(&errs[0]), 1);
    // Valid YAML, wrong shape: every problem at once, each where it is.
    let path = d.write(
        "shape.yaml",
        "options:\n  a:\n    opts:\n    - {name: x, type: integer value, min: low}\n  b: [1, 2]\n  c:\n    opts:\n    - {name: y, type: string value, required: 1}\n",
    );
    let errs = optdata::read(&path).expect_err("wrong shape");
    let found: Vec<(u32, Option<&str>, &str)> =
        errs.iter().map(|e| (line_of(e), e.group.as_deref(), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (4, Some("a"), "\"min\" should be a 64-bit integer, found a string"),
            (5, Some("b"), "a group should be a mapping with \"help\" and \"opts\", found a list"),
            (8, Some("c"), "\"required\" should be true or false, found an integer"),
        ]
    );
    // Not generator output at all.
    let path = d.write("other.yaml", "name: x\n");
    let errs = optdata::read(&path).expect_err("not opt-data");
    assert!(errs[0].message.contains("not `oslo-config-generator --format yaml|json` output"), "{}", errs[0]);
}
