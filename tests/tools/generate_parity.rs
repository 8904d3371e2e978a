//! `stackauth generate` against oslo-config-generator itself, byte for
//! byte: the INI sample (its default format), `--format rst`,
//! `--wrap-width` and `--summarize`.
//!
//! Two comparisons run live, with the Python of the tests' Keystone venv
//! (tests/keystone/setup.sh installs it):
//! - the opt-data files (Keystone's, and tests/data/generate/corners.yaml
//!   for what Keystone's options do not reach) given to
//!   oslo-config-generator's own formatter by tests/oslo_generator/shim.py
//!   and to `stackauth generate --opt-data`;
//! - oslo-config-generator on the installed namespaces (Keystone's set)
//!   against stackauth on the opt-data it writes for the same namespaces.
//!
//! Under CI these fail when Python cannot run; elsewhere
//! STACKAUTH_SKIP_LIVE=1 skips them, saying so. Golden copies of the
//! formatter's output (tests/data/generate/*.ini, *.rst) are checked
//! without Python.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The opt-data files compared.
const OPT_DATA: &[&str] =
    &["tests/data/optdata/keystone.yaml", "tests/data/optdata/keystone.json", "tests/data/generate/corners.yaml"];

/// The generator arguments compared, each on every file.
const FLAGS: &[&[&str]] = &[
    &[],
    &["--format", "ini"],
    &["--format", "rst"],
    &["--wrap-width", "50"],
    &["--wrap-width", "0"],
    &["--wrap-width", "20", "--summarize"],
    &["--summarize"],
    &["--format", "rst", "--summarize", "--wrap-width", "30"],
];

/// The namespaces Keystone's opt-data was made from (its README).
const KEYSTONE_NAMESPACES: &[&str] = &[
    "keystone",
    "keystonemiddleware.auth_token",
    "oslo.cache",
    "oslo.log",
    "oslo.messaging",
    "oslo.policy",
    "oslo.db",
    "oslo.middleware",
    "osprofiler",
];

/// The venv's Python (tests/common/python.rs).
fn python() -> Option<&'static Path> {
    crate::common::python::venv_python("live oslo-config-generator comparison")
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// oslo-config-generator's formatter on an opt-data file.
fn oslo(python: &Path, opt_data: &str, flags: &[&str]) -> String {
    let mut cmd = Command::new(python);
    cmd.current_dir(root()).arg("tests/oslo_generator/shim.py").arg(opt_data).args(flags);
    run(cmd)
}

/// The real oslo-config-generator on installed namespaces.
fn oslo_real(python: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(python);
    cmd.current_dir(root()).arg("tests/oslo_generator/shim.py").arg("--real").args(args);
    run(cmd)
}

fn stackauth(opt_data: &Path, flags: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stackauth"));
    cmd.current_dir(root()).arg("generate").arg("--opt-data").arg(opt_data).args(flags);
    run(cmd)
}

/// Equal byte for byte, or a failure that shows the first line that
/// differs.
fn assert_same(expected: &str, got: &str, what: &str) {
    if expected == got {
        return;
    }
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.split('\n').collect(), got.split('\n').collect());
    let at = e.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(e.len().min(g.len()));
    let show = |lines: &[&str]| lines[at.saturating_sub(3)..(at + 3).min(lines.len())].join("\n");
    panic!(
        "{what}: differs from oslo-config-generator at line {} ({} against {} bytes)\n--- oslo-config-generator\n{}\n--- \
         stackauth\n{}",
        at + 1,
        expected.len(),
        got.len(),
        show(&e),
        show(&g)
    );
}

/// An INI sample's `#name = value` line.
fn is_value_line(line: &str) -> bool {
    line.strip_prefix('#').and_then(|l| l.split_once(" =")).is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

#[test]
fn opt_data_through_oslo_formatter_byte_for_byte() {
    let Some(python) = python() else { return };
    let (mut outputs, mut bytes, mut options) = (0, 0, 0);
    for file in OPT_DATA {
        for flags in FLAGS {
            let expected = oslo(python, file, flags);
            let got = stackauth(&root().join(file), flags);
            assert_same(&expected, &got, &format!("{file} {flags:?}"));
            outputs += 1;
            bytes += expected.len();
            options +=
                expected.lines().filter(|l| l.starts_with(".. oslo.config:option::") || is_value_line(l)).count();
        }
    }
    println!("compared {outputs} outputs of {} opt-data files: {options} option blocks, {bytes} bytes", OPT_DATA.len());
}

#[test]
fn real_namespaces_byte_for_byte() {
    let Some(python) = python() else { return };
    let dir = Dir::new();
    let ns: Vec<&str> = KEYSTONE_NAMESPACES.iter().flat_map(|n| ["--namespace", n]).collect();
    let yaml = dir.path().join("live.yaml");
    let yaml_arg = yaml.display().to_string();
    oslo_real(python, &[&ns[..], &["--format", "yaml", "--output-file", &yaml_arg]].concat());
    for flags in [&[][..], &["--wrap-width", "50"], &["--wrap-width", "0"], &["--summarize"]] {
        let expected = oslo_real(python, &[&ns[..], flags].concat());
        assert_same(&expected, &stackauth(&yaml, flags), &format!("namespaces {flags:?}"));
    }
    // RST names an option's type by its Python class, and lists deprecated
    // names spelled with `-`, neither of which opt-data records: exactly
    // those lines may differ (see the README's generate section).
    let expected = oslo_real(python, &[&ns[..], &["--format", "rst"]].concat());
    let got = stackauth(&yaml, &["--format", "rst"]);
    let mut lines: Vec<&str> = expected.split('\n').collect();
    let mut dashed = 0;
    while let Some(i) = lines.iter().position(|l| l.starts_with("       * ") && l.contains('-')) {
        assert!(lines[i - 1].starts_with("     - * "), "a deprecated name's group row: {}", lines[i - 1]);
        lines.drain(i - 1..=i);
        dashed += 1;
    }
    let got_lines: Vec<&str> = got.split('\n').collect();
    assert_eq!(lines.len(), got_lines.len(), "the same lines but the dashed deprecated names");
    let allowed = [("  :Type: unknown type", "  :Type: string"), ("  :Type: dict value", "  :Type: dict")];
    let mut by_class = 0;
    for (e, g) in lines.iter().zip(&got_lines) {
        if e != g {
            assert!(allowed.contains(&(*e, *g)), "rst differs beyond the known: {e:?} against {g:?}");
            by_class += 1;
        }
    }
    println!("rst from real namespaces: {dashed} dashed deprecated names and {by_class} type names by class differ");
    assert!(dashed + by_class < 10, "the known differences stay few");
}

#[test]
fn golden_copies_of_oslo_formatter_output() {
    for (file, golden) in
        [("tests/data/optdata/keystone.yaml", "keystone"), ("tests/data/generate/corners.yaml", "corners")]
    {
        for (flags, ext) in [(&[][..], "ini"), (&["--format", "rst"][..], "rst")] {
            let path = root().join(format!("tests/data/generate/{golden}.{ext}"));
            let expected = std::fs::read_to_string(&path).expect("golden copy");
            assert_same(&expected, &stackauth(&root().join(file), flags), &path.display().to_string());
        }
    }
}

#[test]
fn golden_copies_are_the_formatters_own() {
    let Some(python) = python() else { return };
    for (file, golden) in
        [("tests/data/optdata/keystone.yaml", "keystone"), ("tests/data/generate/corners.yaml", "corners")]
    {
        for (flags, ext) in [(&[][..], "ini"), (&["--format", "rst"][..], "rst")] {
            let path = root().join(format!("tests/data/generate/{golden}.{ext}"));
            let golden = std::fs::read_to_string(&path).expect("golden copy");
            assert_same(&oslo(python, file, flags), &golden, &format!("golden {}", path.display()));
        }
    }
}

#[test]
fn wrap_width_and_summarize_flags() {
    let file = root().join("tests/data/generate/corners.yaml");
    let narrow = stackauth(&file, &["--wrap-width", "20"]);
    assert!(narrow.contains("\n# A ratio with a\n# 100% sure unkeyed\n# conversion.\n"), "{narrow}");
    let summary = stackauth(&file, &["--summarize"]);
    assert!(summary.contains("# Message of the day, %(default)s by default, 100%% plain. For more\n"), "{summary}");
    assert!(!summary.contains("A second paragraph"));
    let rst = stackauth(&file, &["--format", "rst", "--summarize"]);
    assert!(rst.contains("  A second paragraph:\n"), "RST keeps the whole help");
}
