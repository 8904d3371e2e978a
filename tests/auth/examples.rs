//! Every example in examples/conf/plugins loads into its plugin; those of
//! plugins stackauth only recognises are refused for that reason alone.

use stackauth::Loader;
use stackauth::auth::{PluginRegistry, load_from_group};
use stackauth::diagnostic::Code;
use stackauth::opt::Registry;

#[test]
fn one_example_per_builtin_plugin_and_each_loads() {
    let plugins = PluginRegistry::builtin();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/conf/plugins");
    let reg = Registry::new();
    for name in plugins.names() {
        let path = dir.join(format!("{name}.conf"));
        assert!(path.exists(), "no example for {name}");
        if !plugins.get(name).is_some_and(|t| t.is_supported()) {
            let e = load_from_group(&Loader::new(&reg).config_file(&path), &plugins, "service_user").expect_err(name);
            let codes: Vec<Code> = e.diagnostics().iter().map(|d| d.code).collect();
            assert_eq!(codes, [Code::UnsupportedAuthType], "{name}: {e}");
            // validate finds nothing else: every option is the plugin's.
            let mut schema = Registry::new();
            stackauth::auth::register_conf_options(&mut schema, "service_user", &[]).expect("registers");
            let report = stackauth::tools::validate::validate(
                &Loader::new(&schema).config_file(&path),
                &plugins,
                &stackauth::tools::validate::ValidateOptions::default(),
            );
            let codes: Vec<Code> =
                report.findings.iter().map(|d| d.code).filter(|c| *c != Code::InsecureFile).collect();
            assert_eq!(codes, [Code::UnsupportedAuthType], "{name}: {:?}", report.findings);
            continue;
        }
        let loaded = load_from_group(&Loader::new(&reg).config_file(&path), &plugins, "service_user")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(loaded.plugin_name, name);
        let unknown: Vec<_> = loaded.snapshot.unknown().iter().collect();
        assert!(unknown.is_empty(), "{name}: {unknown:?}");

        // The same group as TOML loads into the same plugin.
        let text = std::fs::read_to_string(&path).expect("read");
        let doc = stackauth::source::ini::IniDocument::parse(&text).expect("parses");
        let mut toml = String::from("[service_user]\n");
        for e in doc.entries() {
            toml.push_str(&format!("{} = {:?}\n", e.key, e.value));
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let tpath = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&tpath, toml).expect("write");
        let from_toml = load_from_group(&Loader::new(&reg).config_file(&tpath), &plugins, "service_user")
            .unwrap_or_else(|e| panic!("{}: {e}", tpath.display()));
        assert_eq!(from_toml.plugin_name, name);
        assert_eq!(from_toml.plugin.auth_url(), loaded.plugin.auth_url());
        assert_eq!(from_toml.plugin.endpoint(), loaded.plugin.endpoint());
    }
}
