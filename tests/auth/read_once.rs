//! One load reads each file once (issue 19): counted by the kernel, with
//! inotify's open events on the real files, so the count does not depend
//! on how stackauth reads them.

use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use stackauth::auth::{self, PluginRegistry};
use stackauth::{Loader, namespace};

/// Counts opens of files through inotify. Opens and closes are both
/// watched: inotify merges identical events that follow each other unread,
/// and an open is always followed by its close, so no two opens are merged.
struct OpenCounter {
    fd: i32,
    watches: HashMap<i32, PathBuf>,
}

impl OpenCounter {
    fn new(files: &[&Path]) -> OpenCounter {
        // SAFETY: plain system calls on a descriptor this struct owns.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        assert!(fd >= 0, "inotify_init1 failed");
        let mut watches = HashMap::new();
        for f in files {
            let c = CString::new(f.as_os_str().as_bytes()).expect("path without NUL");
            let wd = unsafe { libc::inotify_add_watch(fd, c.as_ptr(), libc::IN_OPEN | libc::IN_CLOSE_NOWRITE) };
            assert!(wd >= 0, "inotify_add_watch {} failed", f.display());
            watches.insert(wd, f.to_path_buf());
        }
        OpenCounter { fd, watches }
    }

    /// Opens per file since the last call.
    fn take(&self) -> HashMap<PathBuf, usize> {
        let mut counts: HashMap<PathBuf, usize> = self.watches.values().map(|p| (p.clone(), 0)).collect();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            let mut at = 0usize;
            while at + std::mem::size_of::<libc::inotify_event>() <= n as usize {
                // SAFETY: the kernel wrote whole events into buf[..n].
                let ev: libc::inotify_event = unsafe { std::ptr::read_unaligned(buf[at..].as_ptr().cast()) };
                if ev.mask & libc::IN_OPEN != 0 {
                    if let Some(p) = self.watches.get(&ev.wd) {
                        *counts.entry(p.clone()).or_default() += 1;
                    }
                }
                at += std::mem::size_of::<libc::inotify_event>() + ev.len as usize;
            }
        }
        counts
    }
}

impl Drop for OpenCounter {
    fn drop(&mut self) {
        unsafe { libc::close(self.fd) };
    }
}

/// A service file whose auth group points with `auth_section` to a
/// v3multifactor group (the load that used to read every file four
/// times), and a config dir with one more file.
fn config(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let main = dir.join("svc.conf");
    std::fs::write(
        &main,
        "[keystone_authtoken]\nauth_section = mf_auth\nwww_authenticate_uri = http://127.0.0.1:1/v3\n\n\
         [mf_auth]\nauth_type = v3multifactor\nauth_methods = v3password,v3totp\nauth_url = http://127.0.0.1:1/v3\n\
         username = alice\nuser_domain_id = default\npassword = s3cret\npasscode = 123456\n\
         project_name = demo\nproject_domain_id = default\n",
    )
    .expect("write");
    let conf_d = dir.join("svc.conf.d");
    std::fs::create_dir(&conf_d).expect("mkdir");
    let extra = conf_d.join("10-region.conf");
    std::fs::write(&extra, "[keystone_authtoken]\nregion_name = RegionOne\n").expect("write");
    (main, conf_d, extra)
}

fn assert_once(counts: &HashMap<PathBuf, usize>, what: &str) {
    for (path, n) in counts {
        assert_eq!(*n, 1, "{what} opened {} {n} times, expected once", path.display());
    }
}

#[test]
fn auth_load_with_auth_section_and_multifactor_reads_each_file_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (main, conf_d, extra) = config(tmp.path());
    let registry = namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let loader = Loader::new(&registry).config_file(&main).config_dir(&conf_d);
    let counter = OpenCounter::new(&[&main, &extra]);
    let loaded = auth::load_from_group(&loader, &PluginRegistry::builtin(), "keystone_authtoken").expect("loads");
    assert_eq!(loaded.plugin_name, "v3multifactor");
    assert_eq!(loaded.auth_group, "mf_auth");
    assert_eq!(
        loaded.snapshot.value("keystone_authtoken", "region_name").map(|v| v.to_string()),
        Some("RegionOne".into())
    );
    assert_once(&counter.take(), "auth::load_from_group");
}

#[test]
fn validate_reads_each_file_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (main, conf_d, extra) = config(tmp.path());
    let registry = namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    let loader = Loader::new(&registry).config_file(&main).config_dir(&conf_d);
    let counter = OpenCounter::new(&[&main, &extra]);
    let report = stackauth::tools::validate::validate(&loader, &PluginRegistry::builtin(), &Default::default());
    assert!(report.findings.iter().all(|f| !f.is_error()), "{:?}", report.findings);
    assert_once(&counter.take(), "tools::validate::validate");
}

/// The commands, whole processes: what a deployer's CI runs.
#[test]
fn validate_and_show_commands_read_each_file_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (main, conf_d, extra) = config(tmp.path());
    for command in ["validate", "show"] {
        let counter = OpenCounter::new(&[&main, &extra]);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
            .arg(command)
            .args(["--namespace", "keystonemiddleware.auth_token", "--config-file"])
            .arg(&main)
            .arg("--config-dir")
            .arg(&conf_d)
            .output()
            .expect("run stackauth");
        assert!(out.status.success(), "stackauth {command}: {}", String::from_utf8_lossy(&out.stderr));
        assert_once(&counter.take(), &format!("stackauth {command}"));
    }
}
