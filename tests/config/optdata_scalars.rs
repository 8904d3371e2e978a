//! Plain YAML scalars in opt-data read as PyYAML reads them: every short
//! string over the characters YAML 1.1's null, bool, int and float rules
//! turn on (and the words), each read by PyYAML from the tests' venv and by
//! the importer, compared by kind and value.

use crate::common;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use stackauth::tools::optdata;

/// The scalars: strings of up to 3 characters over the characters that
/// matter, then words and longer numbers. Left out: what cannot be a plain
/// scalar after `key: ` (a lone `-`, a trailing `:`, a leading `:`).
fn corpus() -> Vec<String> {
    let alphabet = b"01579_:.eE+-xbo~aN";
    let mut out: Vec<String> = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..3 {
        let mut next = Vec::new();
        for s in &frontier {
            for c in alphabet {
                let mut t = s.clone();
                t.push(char::from(*c));
                next.push(t);
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    let words = [
        "yes",
        "Yes",
        "YES",
        "yEs",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "tRUE",
        "false",
        "FALSE",
        "on",
        "On",
        "oN",
        "off",
        "Off",
        "OFF",
        "y",
        "n",
        "null",
        "Null",
        "NULL",
        "nULL",
        "none",
        "None",
        ".inf",
        "-.Inf",
        "+.INF",
        ".iNf",
        ".nan",
        ".NaN",
        ".NAN",
        "-.nan",
        ".Nan",
        "1_000:59.5",
        "190:20:30.15",
        "190:20:30",
        "1:60",
        "1:5:9",
        "0x1F_ff",
        "0xg",
        "-0b1_0",
        "685_230.15",
        "6.8523015e+5",
        "1.0e20",
        "1.0e+20",
        "1.0e+",
        "0o17",
        "1e3",
        "010",
        "0777",
        "08",
        "-0_",
        "3.14159",
        "12345678901234567890",
        "0.1",
        "-1_000",
        "+12",
    ];
    out.extend(words.iter().map(|w| (*w).to_owned()));
    out.retain(|s| !(s == "-" || s.starts_with(':') || s.ends_with(':') || s.starts_with("- ")));
    out.sort();
    out.dedup();
    out
}

/// PyYAML's reading of each scalar: `[kind, text]`, kind one of null, bool,
/// int, float, str, other (a date...), error (PyYAML refuses it).
const PYTHON: &str = r#"
import json, sys, yaml
out = []
for s in json.load(sys.stdin):
    try:
        v = yaml.safe_load("k: " + s + "\n")["k"]
    except Exception:
        out.append(["error", ""]); continue
    if v is None: out.append(["null", ""])
    elif isinstance(v, bool): out.append(["bool", "true" if v else "false"])
    elif isinstance(v, int): out.append(["int", str(v)])
    elif isinstance(v, float): out.append(["float", repr(v)])
    elif isinstance(v, str): out.append(["str", v])
    else: out.append(["other", repr(v)])
print(json.dumps(out))
"#;

fn pyyaml(corpus: &[String]) -> Option<Vec<(String, String)>> {
    let python = common::python::venv_python("PyYAML reading plain scalars")?;
    let mut child = Command::new(python)
        .arg("-c")
        .arg(PYTHON)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = serde_json::to_vec(corpus).expect("json");
    child.stdin.take().expect("stdin").write_all(&input).expect("write to python");
    let out = child.wait_with_output().expect("python runs");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("json from python"))
}

/// The importer's kind for each scalar: a group `gN: {opts: S}` is an
/// error naming the kind unless S is null.
fn kinds(corpus: &[String]) -> Vec<String> {
    let mut doc = String::from("options:\n");
    for (i, s) in corpus.iter().enumerate() {
        writeln!(doc, "  g{i}:\n    opts: {s}").expect("write");
    }
    let errors = optdata::parse_data(&doc, Path::new("kinds.yaml")).expect_err("scalars are not option lists");
    let mut kinds = vec!["null".to_owned(); corpus.len()];
    for e in errors {
        let i: usize = e.group.as_deref().and_then(|g| g.strip_prefix('g')).and_then(|n| n.parse().ok()).expect("g<i>");
        let kind = e.message.rsplit("found ").next().expect("found ...");
        kinds[i] = match kind {
            "a boolean" => "bool",
            "an integer" => "int",
            "a float" => "float",
            "a string" => "str",
            other => panic!("{other}"),
        }
        .to_owned();
    }
    kinds
}

/// The importer's value for each scalar, as a string option's default.
fn values(corpus: &[String]) -> Vec<Option<String>> {
    let mut doc = String::from("options:\n  g:\n    opts:\n");
    for (i, s) in corpus.iter().enumerate() {
        writeln!(doc, "    - name: o{i}\n      type: string value\n      default: {s}").expect("write");
    }
    let data = optdata::parse_data(&doc, Path::new("values.yaml")).unwrap_or_else(|e| panic!("{e:#?}"));
    (0..corpus.len())
        .map(|i| data.registry.find("g", &format!("o{i}")).expect("registered").default_text().map(str::to_owned))
        .collect()
}

#[test]
fn plain_scalars_read_as_pyyaml_reads_them() {
    let corpus = corpus();
    assert!(corpus.len() > 5000, "{}", corpus.len());
    let Some(python) = pyyaml(&corpus) else { return };
    let (kinds, values) = (kinds(&corpus), values(&corpus));
    let mut compared = 0;
    for (i, s) in corpus.iter().enumerate() {
        let (py_kind, py_text) = &python[i];
        // PyYAML refuses some (`0b_`: an int by its pattern, not by
        // `int()`) or makes dates of them; the importer keeps those as
        // strings, which no generator writes unquoted.
        if py_kind == "error" || py_kind == "other" {
            continue;
        }
        compared += 1;
        assert_eq!(&kinds[i], py_kind, "kind of {s:?}");
        let ours = values[i].as_deref();
        match py_kind.as_str() {
            "null" => assert_eq!(ours, None, "{s:?}"),
            "float" => {
                let (a, b): (f64, f64) = (
                    ours.expect("a float default").parse().expect("our float"),
                    py_text.parse().expect("python float"),
                );
                assert!(a == b || (a.is_nan() && b.is_nan()), "{s:?}: {a} against PyYAML's {b}");
            }
            _ => assert_eq!(ours, Some(py_text.as_str()), "{s:?}"),
        }
    }
    assert!(compared > 5000, "{compared} compared");
}
