//! The cargo features as README.md's Features table describes them: each
//! row's crate count is what `cargo tree` says, and (under CI, or with
//! STACKAUTH_FEATURE_MATRIX=1) the library builds and passes its unit
//! tests with each feature alone, so no module leans on a feature it does
//! not declare.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// README's Features table: (feature, crate count); `None` for the row of
/// no feature.
fn table() -> Vec<(Option<String>, usize)> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme.split("\n## Features\n").nth(1).expect("README has a Features section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let Some(count) = cells.last().and_then(|c| c.parse::<usize>().ok()) else { continue };
        let feature = match cells[0] {
            "(none)" => None,
            f => Some(f.trim_matches('`').to_owned()),
        };
        rows.push((feature, count));
    }
    assert!(rows.len() >= 8, "README's Features table has too few rows: {rows:?}");
    rows
}

fn feature_args(feature: &Option<String>) -> Vec<String> {
    let mut args = vec!["--no-default-features".to_owned()];
    if let Some(f) = feature {
        args.extend(["--features".to_owned(), f.clone()]);
    }
    args
}

/// Distinct packages `feature` builds (normal dependencies, stackauth
/// included).
fn crate_count(feature: &Option<String>) -> usize {
    let out = cargo()
        .args(["tree", "-e", "normal", "--prefix", "none"])
        .args(feature_args(feature))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<&str> = text.lines().map(|l| l.trim_end_matches(" (*)")).filter(|l| !l.is_empty()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

#[test]
fn readme_crate_counts_are_what_cargo_tree_says() {
    let mut wrong = Vec::new();
    for (feature, said) in table() {
        let n = crate_count(&feature);
        if n != said {
            wrong.push(format!("{}: README says {said}, cargo tree says {n}", feature.as_deref().unwrap_or("(none)")));
        }
    }
    assert!(wrong.is_empty(), "update README.md's Features table:\n{}", wrong.join("\n"));
}

#[test]
fn every_feature_builds_and_passes_its_unit_tests_alone() {
    let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let asked = std::env::var("STACKAUTH_FEATURE_MATRIX").is_ok_and(|v| v == "1");
    if !under_ci && !asked {
        eprintln!("SKIPPED: the feature matrix (a few minutes) runs under CI or with STACKAUTH_FEATURE_MATRIX=1");
        return;
    }
    // A target dir of its own: the outer build's stays as it is, and the
    // feature sets share their dependencies' builds.
    let target: &Path = &root().join("target/features");
    // `cli` is the binary: the outer `cargo test` builds it, with every
    // feature its Cargo.toml entry requires.
    for (feature, _) in table().into_iter().filter(|(f, _)| f.as_deref() != Some("cli")) {
        let name = feature.as_deref().unwrap_or("(none)");
        let out = cargo()
            .args(["test", "--quiet", "--lib", "--target-dir"])
            .arg(target)
            .args(feature_args(&feature))
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("cargo test runs");
        assert!(
            out.status.success(),
            "feature {name} alone: cargo test --lib failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("feature {name} alone: builds, unit tests pass");
    }
}
