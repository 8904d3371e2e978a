//! Golden tests for issue 16's findings 1-6: `validate` and `show` read a
//! real service's files (Keystone's own opt-data) as oslo.config and
//! oslo-config-validator do. What oslo.config does in each case was checked
//! with the real library (tests/oslo/dump.py; tests/tools/oslo_differential.rs
//! does it for every option).

use crate::common;

use std::process::Command;

use common::Dir;

const OPT_DATA: &str = "tests/data/optdata/keystone.yaml";

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn stackauth(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stackauth"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env_clear();
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("runs");
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// Writes a config file readable by its owner only (a world-readable file
/// with a secret is a warning of its own).
fn write(d: &Dir, name: &str, text: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = d.write(name, text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    p
}

/// `validate --format json` with Keystone's opt-data: the findings as
/// (severity, code, option, line, column, message, suggestion), and the exit code.
fn validate(conf: &std::path::Path, extra: &[&str]) -> (Vec<serde_json::Value>, i32, String) {
    let c = conf.to_str().expect("utf-8");
    let mut args = vec!["validate", "--format", "json", "--opt-data", OPT_DATA, "--config-file", c];
    args.extend(extra);
    let o = stackauth(&args, &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", o.stdout));
    (v["findings"].as_array().cloned().unwrap_or_default(), o.code, o.stdout)
}

fn has(findings: &[serde_json::Value], severity: &str, code: &str, option: &str) -> bool {
    findings.iter().any(|f| f["severity"] == severity && f["code"] == code && f["option"] == option)
}

/// A valid keystone.conf; lines appended go to `[DEFAULT]`, from line 9.
const CLEAN: &str = "[database]\nconnection = sqlite:////var/lib/keystone/keystone.db\n\n[token]\nprovider = fernet\n\n[DEFAULT]\ndebug = true\n";

/// Finding 1: `[oslo_middleware_tracing] service_name` is required with no default
/// in every service's opt-data; services set it in code, and
/// oslo-config-validator never checks required options. A note, not an
/// error: exit 0, even with --fatal-warnings.
#[test]
fn required_options_of_opt_data_are_a_note_not_an_error() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", CLEAN);
    let (f, code, out) = validate(&conf, &["--fatal-warnings"]);
    assert_eq!(code, 0, "{out}");
    assert!(!f.iter().any(|x| x["severity"] == "error"), "{out}");
    assert!(has(&f, "note", "missing-required", "service_name"), "{out}");
    // show: the option is unset, nothing failed.
    let o = stackauth(&["show", "--opt-data", OPT_DATA, "--config-file", conf.to_str().unwrap()], &[]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
}

/// Finding 1: Where the library itself fails at run time (an auth plugin's
/// required option), it stays an error.
#[test]
fn an_auth_plugin_s_required_option_stays_an_error() {
    let d = Dir::new();
    let conf = write(
        &d,
        "keystone.conf",
        format!(
            "{CLEAN}\n[keystone_authtoken]\nauth_type = password\nusername = k\npassword = p\nuser_domain_name = Default\nproject_name = service\nproject_domain_name = Default\n"
        ),
    );
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(has(&f, "error", "missing-required", "auth_url"), "{out}");
}

/// Finding 2: `show` prints everything it resolved when something failed, marks
/// what failed, puts the findings on stderr and exits 1.
#[test]
fn show_prints_everything_and_marks_what_failed() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", format!("{CLEAN}max_project_tree_depth = deep\n"));
    let c = conf.to_str().unwrap();
    let o = stackauth(&["show", "--opt-data", OPT_DATA, "--config-file", c], &[]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("provider = fernet"), "{}", o.stdout);
    assert!(o.stdout.contains("#max_project_tree_depth =  # error[invalid-value]"), "{}", o.stdout);
    assert!(o.stderr.contains("error[invalid-value]"), "{}", o.stderr);
    assert!(o.stderr.contains(&format!("{c}:9:")), "{}", o.stderr);
    let o = stackauth(&["show", "--format", "json", "--opt-data", OPT_DATA, "--config-file", c], &[]);
    assert_eq!(o.code, 1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["groups"]["token"]["provider"]["value"], "fernet");
    let failed = &v["groups"]["DEFAULT"]["max_project_tree_depth"];
    assert_eq!(failed["value"], serde_json::Value::Null);
    assert_eq!(failed["error"]["code"], "invalid-value", "{failed}");
}

/// Finding 3: oslo.config looks options up in files by their dest: `log-file` is
/// ignored by the service. stackauth does not read it either, and says
/// what to write.
#[test]
fn dashed_spellings_are_not_read_and_named() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", format!("{CLEAN}log-file = /var/log/keystone.log\n"));
    let c = conf.to_str().unwrap();
    let o = stackauth(&["show", "--format", "json", "--opt-data", OPT_DATA, "--config-file", c], &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", o.stdout));
    assert!(v["groups"]["DEFAULT"].get("log_file").is_none(), "{}", o.stdout);
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 1, "{out}");
    let hit = f.iter().find(|x| x["code"] == "unknown-option" && x["option"] == "log-file").expect(&out);
    assert_eq!(hit["severity"], "error");
    assert_eq!((hit["line"].as_u64(), hit["column"].as_u64()), (Some(9), Some(1)), "{out}");
    assert!(hit["message"].as_str().unwrap().contains("ignores"), "{hit}");
    assert!(hit["suggestion"].as_str().unwrap().contains("log_file"), "{hit}");
}

/// Finding 4: oslo.config interpolates secrets too: a reference that resolves is
/// substituted (with a warning), one that does not is an error, and the
/// secret's text never shows.
#[test]
fn secrets_are_interpolated_as_oslo_config_does() {
    let d = Dir::new();
    let conf = write(
        &d,
        "keystone.conf",
        "[DEFAULT]\ndefault_publisher_id = db.example\n\n[database]\nconnection = mysql://k:S3cr3t@$default_publisher_id/keystone\n\n[cache]\npassword = Pa$zzword\n\n[ldap]\npassword = lit$$QQx\n",
    );
    let c = conf.to_str().unwrap();
    let o =
        stackauth(&["show", "--format", "json", "--reveal-secrets", "--opt-data", OPT_DATA, "--config-file", c], &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", o.stdout));
    assert_eq!(v["groups"]["database"]["connection"]["value"], "mysql://k:S3cr3t@db.example/keystone");
    assert_eq!(v["groups"]["ldap"]["password"]["value"], "lit$QQx");
    assert_eq!(v["groups"]["cache"]["password"]["error"]["code"], "interpolation", "{}", o.stdout);
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(has(&f, "warning", "interpolated-secret", "connection"), "{out}");
    assert!(has(&f, "error", "interpolation", "password"), "{out}");
    assert!(!has(&f, "warning", "interpolated-secret", "password"), "{out}");
    for leak in ["S3cr3t", "zzword", "QQx"] {
        assert!(!out.contains(leak), "{leak} shown: {out}");
    }
}

/// Finding 5: `$missing` and `${DEFAULT.x}` make the service fail when it reads the
/// option: errors at the value's file:line:column.
#[test]
fn undefined_references_are_errors_at_their_place() {
    let d = Dir::new();
    let conf = write(
        &d,
        "keystone.conf",
        "[DEFAULT]\nlog_dir = /var/log/$missing_opt\npublic_endpoint = http://${DEFAULT.admin_endpoint}/\nadmin_endpoint = http://a/\n\n[token]\nprovider = ${DEFAULT.max_param_size}\n\n[cache]\nbackend_argument = url:$nope\n",
    );
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 1, "{out}");
    let at = |opt: &str| {
        f.iter()
            .find(|x| x["code"] == "interpolation" && x["option"] == opt && x["severity"] == "error")
            .map(|x| (x["line"].as_u64().unwrap_or(0), x["column"].as_u64().unwrap_or(0)))
    };
    // At the reference itself.
    assert_eq!(at("log_dir"), Some((2, 20)), "{out}");
    assert_eq!(at("public_endpoint"), Some((3, 26)), "{out}");
    // DEFAULT cannot be named in a reference (oslo.config: NoSuchGroupError).
    assert_eq!(at("provider"), Some((7, 12)), "{out}");
    // backend_argument is a secret: checked all the same, its text not
    // shown (and the value's place, not the reference's).
    assert_eq!(at("backend_argument"), Some((10, 20)), "{out}");
    assert!(!out.contains("nope"), "{out}");
}

/// Finding 6: Unknown options in a known group are errors (oslo-config-validator
/// fails CI on them); unknown groups too, with a complete schema.
#[test]
fn unknown_options_and_groups_are_errors_with_opt_data() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", format!("{CLEAN}\n[databse]\nconection = x\n\n[cache]\npasword = p\n"));
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(has(&f, "error", "unknown-option", "pasword"), "{out}");
    assert!(
        f.iter().any(|x| x["severity"] == "error" && x["code"] == "unknown-group" && x["group"] == "databse"),
        "{out}"
    );
    // Excluded groups stay out.
    let (f, _, out) = validate(&conf, &["--exclude-group", "databse", "--exclude-group", "cache"]);
    assert!(!f.iter().any(|x| x["severity"] == "error"), "{out}");
}

/// Finding 6: With a partial namespace (keystonemiddleware's only), other groups
/// are none of its business; a near miss of a group it knows is a warning.
#[test]
fn a_partial_namespace_stays_out_of_other_groups() {
    let d = Dir::new();
    let conf = write(
        &d,
        "glance-api.conf",
        "[DEFAULT]\ndebug = true\n\n[database]\nconnection = x\n\n[keystone_authtokn]\nauth_type = password\n",
    );
    let o = stackauth(&["validate", "--format", "json", "--config-file", conf.to_str().unwrap()], &[]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let f = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(f.len(), 1, "{}", o.stdout);
    assert_eq!((f[0]["code"].as_str(), f[0]["severity"].as_str()), (Some("unknown-group"), Some("warning")));
}

/// Finding 6: oslo-config-validator's --check-defaults and --exclude-options: a
/// value that differs from the sample's default is a warning, except for
/// options matching the exclusion patterns (oslo's list by default).
#[test]
fn check_defaults_and_exclude_options() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", format!("{CLEAN}max_project_tree_depth = 7\npublic_endpoint = http://k/\n"));
    let (f, code, out) = validate(&conf, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(!f.iter().any(|x| x["code"] == "non-default"), "{out}");
    let (f, code, out) = validate(&conf, &["--check-defaults"]);
    assert_eq!(code, 0, "{out}");
    assert!(has(&f, "warning", "non-default", "max_project_tree_depth"), "{out}");
    assert!(has(&f, "warning", "non-default", "debug"), "{out}");
    // .*connection and .*_ur(i|l) are excluded by default; public_endpoint is not.
    assert!(!has(&f, "warning", "non-default", "connection"), "{out}");
    assert!(has(&f, "warning", "non-default", "public_endpoint"), "{out}");
    let (f, _, out) =
        validate(&conf, &["--check-defaults", "--exclude-options", "max_.*", "--exclude-options", "debug"]);
    assert!(!has(&f, "warning", "non-default", "max_project_tree_depth"), "{out}");
    assert!(!has(&f, "warning", "non-default", "debug"), "{out}");
    assert!(has(&f, "warning", "non-default", "connection"), "{out}");
}

/// Notes are GitHub notices, counted apart, and never fail the run.
#[test]
fn notes_are_github_notices() {
    let d = Dir::new();
    let conf = write(&d, "keystone.conf", CLEAN);
    let o = stackauth(
        &[
            "validate",
            "--format",
            "github",
            "--fatal-warnings",
            "--opt-data",
            OPT_DATA,
            "--config-file",
            conf.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        o.stdout.starts_with("::notice title=stackauth missing-required::[oslo_middleware_tracing] service_name: "),
        "{}",
        o.stdout
    );
    let o = stackauth(&["validate", "--opt-data", OPT_DATA, "--config-file", conf.to_str().unwrap()], &[]);
    assert!(o.stdout.ends_with("0 errors, 0 warnings, 1 note in 1 file\n"), "{}", o.stdout);
}
