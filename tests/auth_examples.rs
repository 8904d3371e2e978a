//! Every example in examples/conf/plugins loads into its plugin.

use stackauth::Loader;
use stackauth::auth::{PluginRegistry, load_from_group};
use stackauth::opt::Registry;

#[test]
fn one_example_per_builtin_plugin_and_each_loads() {
    let plugins = PluginRegistry::builtin();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/conf/plugins");
    let reg = Registry::new();
    for name in plugins.names() {
        let path = dir.join(format!("{name}.conf"));
        assert!(path.exists(), "no example for {name}");
        let loaded = load_from_group(&Loader::new(&reg).config_file(&path), &plugins, "service_user")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(loaded.plugin_name, name);
        let unknown: Vec<_> = loaded.snapshot.unknown().iter().collect();
        assert!(unknown.is_empty(), "{name}: {unknown:?}");
    }
}
