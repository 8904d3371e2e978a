//! The command over the bad-input corpus (tests/common/corpus.rs): every
//! subcommand that reads a file exits 1 or 2 on a bad one, naming it, and
//! never panics (101) or dies of a signal.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::Dir;
use common::corpus::{Case, Expect, corpus};
use stackauth::diagnostic::Code;

fn stackauth(args: &[&str], path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackauth")).args(args).arg(path).output().expect("runs")
}

/// Whether an error is expected from this command on this case: `migrate`
/// reads the file as INI only (no types, no interpolation), `generate` and
/// `schema` read it as opt-data, which no corpus file is.
fn must_fail(command: &str, case: &Case) -> bool {
    match (&case.expect, command) {
        (_, "generate" | "schema") => true,
        (Expect::Error { code, .. }, "migrate") => matches!(code, Code::Io | Code::IniSyntax),
        (Expect::Error { .. }, _) => true,
        (Expect::Loads, _) => false,
    }
}

#[test]
fn exit_codes_over_the_corpus() {
    let d = Dir::new();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in corpus(&d) {
        let source = if case.dir { "--config-dir" } else { "--config-file" };
        let mut commands: Vec<(&str, Vec<&str>)> = vec![
            ("validate", vec!["validate", "--no-env", source]),
            ("show", vec!["show", "--no-env", source]),
            ("generate", vec!["generate", "--opt-data"]),
            ("schema", vec!["schema", "--opt-data"]),
        ];
        if !case.dir {
            commands.push(("migrate", vec!["migrate"]));
        }
        for (command, args) in commands {
            runs += 1;
            let o = stackauth(&args, &case.path);
            let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            let what = format!("{command} {}", case.name);
            let Some(code) = o.status.code() else {
                failures.push(format!("{what}: killed by a signal ({})", o.status));
                continue;
            };
            // Given as opt-data, a config dir is itself the bad file.
            let names = match command {
                "generate" | "schema" => case.path.file_name().map_or(String::new(), |n| n.to_string_lossy().into()),
                _ => case.names.clone(),
            };
            if must_fail(command, &case) {
                if !(code == 1 || code == 2) {
                    failures.push(format!("{what}: exit {code}, expected 1 or 2"));
                }
                if !said.contains(&names) {
                    failures.push(format!("{what}: the output does not name {names}:\n{}", tail(&said)));
                }
            } else if !(0..=2).contains(&code) {
                failures.push(format!("{what}: exit {code}:\n{}", tail(&said)));
            }
            // migrate prints the file itself; everything else is escaped.
            let printed = if command == "migrate" { String::from_utf8_lossy(&o.stderr).into_owned() } else { said };
            if printed.contains('\u{1b}') {
                failures.push(format!("{what}: a terminal escape sequence got through"));
            }
        }
    }
    assert!(runs >= 120, "{runs}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(600);
    s.get(start..).unwrap_or(s)
}

/// A chain of `$references` longer than the limit, through a schema of
/// 200 options imported from opt-data: an error at the first line, exit 1.
#[test]
fn a_deep_interpolation_chain_from_the_command() {
    let d = Dir::new();
    let opts: Vec<serde_json::Value> =
        (0..200).map(|i| serde_json::json!({"name": format!("o{i}"), "type": "string value", "help": ""})).collect();
    let data = d.write("chain.json", serde_json::json!({"options": {"chain": {"help": "", "opts": opts}}}).to_string());
    let mut conf = String::from("[chain]\n");
    for i in 0..199 {
        conf.push_str(&format!("o{i} = x$o{}\n", i + 1));
    }
    conf.push_str("o199 = end\n");
    let conf = d.write("deep.conf", conf);
    let o = Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["validate", "--no-env", "--opt-data"])
        .arg(&data)
        .arg("--config-file")
        .arg(&conf)
        .output()
        .expect("runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("nested too deeply") && out.contains("deep.conf:2:"), "{out}");
}

/// `--config-file <(command)`: a pipe that a program writes to is read.
#[cfg(unix)]
#[test]
fn a_config_from_process_substitution() {
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#""$0" show --no-env --config-file <(printf '[keystone_authtoken]\nregion_name = piped\n')"#)
        .arg(env!("CARGO_BIN_EXE_stackauth"))
        .output()
        .expect("bash runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("region_name = piped  # /dev/fd/"), "{out}");
}
