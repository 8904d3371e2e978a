//! The differential harness: the real oslo.config (Python, from the venv
//! of tests/keystone/setup.sh) and `stackauth show` read the same files,
//! config dirs and environment with the same opt-data, and must agree on
//! every option: the same typed value, or both an error. Then
//! oslo-config-validator runs on every file: whatever it calls an error,
//! `stackauth validate` must too.
//!
//! The corpus is tests/data/oslo (its README): Keystone's sample with every
//! option filled, hand-edited deployments (several files, a config dir,
//! deprecated names in different files, environment variables), and
//! random edits of the sample made by tests/oslo/mutate.py (checked in).
//!
//! Under CI the test fails if Python cannot run; elsewhere
//! STACKAUTH_SKIP_LIVE=1 skips it, saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as J;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python (tests/common/python.rs).
fn python() -> Option<PathBuf> {
    crate::common::python::venv_python("oslo.config differential test").map(Path::to_path_buf)
}

/// One case: the opt-data, the config arguments and the environment.
struct Case {
    name: String,
    opt_data: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

/// The services of the corpus: tests/data/optdata/SERVICE.yaml and
/// tests/data/oslo/SERVICE.
const SERVICES: &[&str] = &["keystone", "glance-api"];

fn cases() -> Vec<Case> {
    let data = root().join("tests/data/oslo");
    let file_case = |service: &str, name: String, rel: String| Case {
        name,
        opt_data: format!("tests/data/optdata/{service}.yaml"),
        args: vec!["--config-file".into(), rel],
        env: Vec::new(),
    };
    let mut out = Vec::new();
    for service in SERVICES {
        out.push(file_case(
            service,
            format!("{service}/sample-filled"),
            format!("tests/data/oslo/{service}/sample-filled.conf"),
        ));
        let mut generated: Vec<PathBuf> = std::fs::read_dir(data.join(service).join("generated"))
            .expect("generated")
            .flatten()
            .map(|e| e.path())
            .collect();
        generated.sort();
        for p in generated {
            let rel = p.strip_prefix(root()).expect("in the repository").display().to_string();
            let name = format!("{service}/generated/{}", p.file_name().unwrap_or_default().to_string_lossy());
            out.push(file_case(service, name, rel));
        }
    }
    // Hand-made Keystone deployments.
    let mut hand: Vec<PathBuf> = std::fs::read_dir(data.join("cases"))
        .expect("cases")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "args"))
        .collect();
    hand.sort();
    for p in hand {
        let args = std::fs::read_to_string(&p).expect("args").lines().map(str::to_owned).collect();
        let env = std::fs::read_to_string(p.with_extension("env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        let name = format!("cases/{}", p.file_stem().unwrap_or_default().to_string_lossy());
        out.push(Case { name, opt_data: KEYSTONE.to_owned(), args, env });
    }
    out
}

fn run(mut c: Command, case: &Case) -> (J, i32, String) {
    c.current_dir(root()).env_clear();
    for (k, v) in &case.env {
        c.env(k, v);
    }
    let o = c.output().expect("runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {stdout}\n{}", case.name, String::from_utf8_lossy(&o.stderr)));
    (v, o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Prints a count where CI's log shows it: straight to the process's
/// stderr, which the test harness does not capture (`eprintln!` it does).
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Whether two values agree (numbers by value: 60 and 60.0 are the same).
fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Keystone's opt-data, for the hand-made cases.
const KEYSTONE: &str = "tests/data/optdata/keystone.yaml";

/// Deliberate differences (README.md, "Deliberate differences from
/// oslo.config"): each makes stackauth emit a finding with this code on the
/// option, which is how the test knows a disagreement is one of them.
const DELIBERATE: &str = "oslo-difference";

/// A gap rather than a choice (README.md, same table): a multi-valued
/// option whose opt-data default has several values is imported without a
/// default (an `Opt` has one default text; the importer warns). Only an
/// empty value on the stackauth side is accepted for these.
const MULTI_DEFAULTS: &[(&str, &str)] = &[("DEFAULT", "notification_opt_out")];

#[test]
fn stackauth_reads_every_option_as_oslo_config_does() {
    let Some(py) = python() else { return };
    let (mut files, mut options, mut values, mut errors, mut deliberate) = (0, 0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for case in cases() {
        files += case.args.iter().filter(|a| !a.starts_with("--")).count();
        let mut c = Command::new(&py);
        c.arg(root().join("tests/oslo/dump.py")).args(["--opt-data", &case.opt_data]).args(&case.args);
        let (oslo, _, _) = run(c, &case);
        let mut c = Command::new(env!("CARGO_BIN_EXE_stackauth"));
        c.args(["show", "--format", "json", "--all", "--reveal-secrets", "--opt-data", &case.opt_data])
            .args(&case.args);
        let (ours, code, stderr) = run(c, &case);
        if let Some(e) = oslo["load_error"].as_str() {
            // oslo.config refuses the whole configuration (a parse error).
            errors += 1;
            if code != 1 {
                disagreements.push(format!("{}: oslo.config fails to load ({e}); stackauth exits {code}", case.name));
            }
            continue;
        }
        let flagged: Vec<(String, String)> = ours["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["code"] == DELIBERATE)
            .map(|f| (f["group"].as_str().unwrap_or("").to_owned(), f["option"].as_str().unwrap_or("").to_owned()))
            .collect();
        let groups: BTreeMap<String, J> = oslo["groups"].as_object().cloned().unwrap_or_default().into_iter().collect();
        for (group, opts) in groups {
            for (dest, want) in opts.as_object().into_iter().flatten() {
                options += 1;
                let got = &ours["groups"][&group][dest];
                let place = format!("{}: [{group}] {dest}", case.name);
                let disagreement = match (want.get("error"), got["error"].is_null()) {
                    (Some(_), false) => {
                        errors += 1;
                        None
                    }
                    (Some(e), true) => {
                        Some(format!("{place}: oslo.config fails ({e}); stackauth reads {}", got["value"]))
                    }
                    (None, false) => Some(format!(
                        "{place}: oslo.config reads {}; stackauth fails ({})",
                        want["value"], got["error"]["message"]
                    )),
                    (None, true) if same(&want["value"], &got["value"]) => {
                        values += 1;
                        None
                    }
                    (None, true) => {
                        Some(format!("{place}: oslo.config reads {}; stackauth reads {}", want["value"], got["value"]))
                    }
                };
                if let Some(d) = disagreement {
                    let empty = got["value"].is_null() || got["value"] == J::Array(Vec::new());
                    let gap = MULTI_DEFAULTS.contains(&(group.as_str(), dest.as_str())) && empty;
                    if gap || flagged.iter().any(|(g, o)| g == &group && o == dest) {
                        deliberate += 1;
                    } else {
                        disagreements.push(d);
                    }
                }
            }
        }
        let _ = stderr;
    }
    report(&format!(
        "oslo.config differential: {files} files, {options} options compared, {values} values and {errors} errors agree, {deliberate} deliberate differences flagged"
    ));
    assert!(options > 5_000, "too few options compared: {options}");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

/// Each service's sample with every option filled is clean against its own
/// opt-data.
#[test]
fn the_filled_samples_validate_with_no_errors() {
    for service in SERVICES {
        let o = Command::new(env!("CARGO_BIN_EXE_stackauth"))
            .args(["validate", "--no-env", "--opt-data", &format!("tests/data/optdata/{service}.yaml")])
            .args(["--config-file", &format!("tests/data/oslo/{service}/sample-filled.conf")])
            .current_dir(root())
            .output()
            .expect("runs");
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{service}: {out}");
        assert!(out.contains("0 errors"), "{service}: {out}");
    }
}

/// oslo-config-validator on every file of the corpus: each option it calls
/// an error, stackauth calls an error too (the option, or its group).
#[test]
fn whatever_oslo_config_validator_rejects_stackauth_rejects() {
    let Some(py) = python() else { return };
    let validator = py.with_file_name("oslo-config-validator");
    let (mut files, mut rejected) = (0, 0);
    let mut missed = Vec::new();
    for case in cases() {
        for file in case.args.chunks(2).filter(|a| a[0] == "--config-file").map(|a| a[1].clone()) {
            files += 1;
            let o = Command::new(&validator)
                .args(["--opt-data", &case.opt_data, "--input-file", &file])
                .current_dir(root())
                .output()
                .expect("runs");
            let log = String::from_utf8_lossy(&o.stderr);
            let theirs: Vec<(String, String)> = log
                .lines()
                .filter_map(|l| l.split_once("ERROR:oslo_config.validator:").map(|(_, m)| m.trim()))
                .filter_map(|m| m.strip_suffix(" is not part of the sample config"))
                .filter_map(|m| m.split_once('/').map(|(g, o)| (g.to_owned(), o.to_owned())))
                .collect();
            if theirs.is_empty() {
                continue;
            }
            let s = Command::new(env!("CARGO_BIN_EXE_stackauth"))
                .args([
                    "validate",
                    "--no-env",
                    "--format",
                    "json",
                    "--opt-data",
                    &case.opt_data,
                    "--config-file",
                    &file,
                ])
                .current_dir(root())
                .output()
                .expect("runs");
            let v: J = serde_json::from_slice(&s.stdout).expect("json");
            let ours: Vec<(String, Option<String>)> = v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "error")
                .map(|f| (f["group"].as_str().unwrap_or("").to_lowercase(), f["option"].as_str().map(str::to_owned)))
                .collect();
            for (g, o) in theirs {
                rejected += 1;
                let hit = ours.iter().any(|(og, oo)| *og == g.to_lowercase() && oo.as_deref().is_none_or(|x| x == o));
                if !hit {
                    missed.push(format!("{file}: oslo-config-validator rejects {g}/{o}; stackauth does not"));
                }
            }
        }
    }
    report(&format!(
        "oslo-config-validator: {files} files, {rejected} options rejected, all rejected by stackauth too"
    ));
    assert!(rejected > 0, "the corpus should hold options oslo-config-validator rejects");
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
