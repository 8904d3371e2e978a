//! No plugin's secret options (client secrets, passwords, access tokens,
//! authorization codes, OAuth 1 secrets...) leak through `validate`'s
//! findings in any format or the load error, for every plugin stackauth
//! knows, supported or not: each secret option is set (twice, so that a
//! duplicate-option finding quotes its line) to a marker, beside an
//! unknown option and a bad value.

use crate::common;

use common::Dir;
use stackauth::Loader;
use stackauth::auth::{PluginRegistry, load_from_group, register_conf_options};
use stackauth::opt::Registry;
use stackauth::tools::{render, validate};

#[test]
fn no_plugin_secret_in_findings_or_errors() {
    let plugins = PluginRegistry::builtin();
    let mut checked = 0;
    for name in plugins.names() {
        let ptype = plugins.get(name).expect("listed");
        let mut text = format!("[service_user]\nauth_type = {name}\ntimeout = soon\npasword = typo\n");
        let mut markers = Vec::new();
        for o in ptype.options() {
            let value = if o.is_secret() {
                let m = format!("MARKER-{}-{}", name, o.dest());
                markers.push(m.clone());
                m
            } else if o.dest().ends_with("url") || o.dest().ends_with("endpoint") {
                "https://keystone.example/v3".to_owned()
            } else {
                "x".to_owned()
            };
            text.push_str(&format!("{} = {value}\n", o.dest()));
            if o.is_secret() {
                // Set twice: a duplicate-option finding quotes this line.
                text.push_str(&format!("{} = {value}-again\n", o.dest()));
            }
        }
        let dir = Dir::new();
        let path = dir.write("a.conf", &text);
        let mut schema = Registry::new();
        register_conf_options(&mut schema, "service_user", &[]).expect("registers");
        let report = validate::validate(
            &Loader::new(&schema).config_file(&path),
            &plugins,
            &validate::ValidateOptions::default(),
        );
        assert!(!report.findings.is_empty(), "{name}: the bad timeout is found");
        let load = load_from_group(&Loader::new(&schema).config_file(&path), &plugins, "service_user");
        let seen = format!(
            "{}\n{}\n{}\n{:?}\n{}",
            render::human(&report),
            render::json(&report),
            render::github(&report),
            report.findings,
            match &load {
                Ok(l) => format!("{:?}", l.plugin),
                Err(e) => format!("{e} {e:?}"),
            }
        );
        for m in &markers {
            assert!(!seen.contains(m.as_str()), "{name}: {m} leaked:\n{seen}");
        }
        checked += markers.len();
    }
    assert!(checked >= 20, "{checked} secrets checked");
}
