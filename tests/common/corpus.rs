//! The bad-input corpus: files (and a few things that are not files)
//! written at test time into a temp dir, each with what loading it against
//! keystonemiddleware's schema must give. tests/config/bad_input.rs loads them
//! with the library, tests/tools/cli_bad_input.rs runs the command over them.
#![allow(dead_code)]

use std::path::PathBuf;

use stackauth::diagnostic::Code;

use super::Dir;

/// Where a refusal must point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// This line of the file.
    Line(u32),
    /// Some line of the file.
    AnyLine,
    /// The whole file (no line: it could not be read).
    File,
}

/// What loading a case gives.
#[derive(Clone, Debug)]
pub enum Expect {
    /// An error with this code, at this place, whose message says this.
    Error { code: Code, at: At, says: &'static str },
    /// It loads (perhaps with warnings).
    Loads,
}

/// One input.
#[derive(Clone, Debug)]
pub struct Case {
    /// A short name for messages.
    pub name: &'static str,
    /// The file, or the config dir when `dir`.
    pub path: PathBuf,
    /// Passed as a config dir rather than a file.
    pub dir: bool,
    /// The name any message about it must contain.
    pub names: String,
    /// What loading it gives.
    pub expect: Expect,
}

const HEAD: &str = "[keystone_authtoken]\n";

/// Bytes that look random, the same every run (xorshift).
fn junk(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A file of 50 MB: 1 MiB of a plausible config, then a sparse hole (the
/// size is what is refused; tests/measure_bad_input.sh measures a real 50
/// MB file without the disk cost on every test run).
fn fifty_megabytes(d: &Dir) -> PathBuf {
    let mut out = HEAD.as_bytes().to_vec();
    let line = format!("# {}\nregion_name = RegionOne\n", "x".repeat(70));
    while out.len() < 1 << 20 {
        out.extend_from_slice(line.as_bytes());
    }
    let p = d.write("fifty-megabytes.conf", out);
    std::fs::OpenOptions::new().write(true).open(&p).and_then(|f| f.set_len(50 << 20)).expect("extend");
    p
}

/// `n` levels of options each repeating the one before ten times.
fn expansion() -> String {
    let names =
        ["region_name", "www_authenticate_uri", "cafile", "certfile", "keyfile", "memcache_username", "admin_user"];
    let mut s = format!("{HEAD}{} = {}\n", names[0], "x".repeat(100));
    for w in names.windows(2) {
        s.push_str(&format!("{} = {}\n", w[1], format!("${}", w[0]).repeat(10)));
    }
    s
}

/// Whether this process can read a file with mode 000 (root can).
#[cfg(unix)]
fn reads_mode_000(d: &Dir) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = d.write("probe-000", "x");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::read(&p).is_ok()
}

/// Writes the corpus into `d`.
pub fn corpus(d: &Dir) -> Vec<Case> {
    let err = |code, at, says| Expect::Error { code, at, says };
    let mut cases = Vec::new();
    let mut file = |name: &'static str, content: &[u8], expect: Expect| {
        let path = d.write(name, content);
        cases.push(Case { name, path, dir: false, names: name.to_owned(), expect });
    };
    file(
        "truncated-header.conf",
        b"[keystone_authtoken]\nauth_url = http://k:5000\n[keystone_auth",
        err(Code::IniSyntax, At::Line(3), "expected ']'"),
    );
    file("truncated-utf8.conf", b"[keystone_authtoken]\nregion_name = R\xc3", err(Code::Io, At::Line(2), "UTF-8"));
    file(
        "truncated.toml",
        b"[keystone_authtoken]\nregion_name = \"Reg",
        err(Code::TomlSyntax, At::Line(2), "invalid TOML"),
    );
    let mut bin = HEAD.as_bytes().to_vec();
    bin.extend(junk(64 << 10));
    file("binary-junk.conf", &bin, err(Code::Io, At::AnyLine, "UTF-8"));
    file(
        "control-junk.conf",
        b"[keystone_authtoken]\n\x01\x02\x03junk\x1b[0m\x7f\n",
        err(Code::IniSyntax, At::Line(2), "expected '=' or ':'"),
    );
    file(
        "invalid-utf8.conf",
        b"[keystone_authtoken]\nregion_name = ok\nusername = \xff\xfe\n",
        err(Code::Io, At::Line(3), "UTF-8"),
    );
    file("latin1.toml", b"[keystone_authtoken]\nregion_name = \"Z\xfcrich\"\n", err(Code::Io, At::Line(2), "UTF-8"));
    file("long-line.conf", format!("{HEAD}region_name = {}\n", "x".repeat(1 << 20)).as_bytes(), Expect::Loads);
    let mut many = String::with_capacity(2 << 20);
    for i in 0..100_000 {
        many.push_str(&format!("[group{i}]\nk = v\n"));
    }
    file("many-groups.conf", many.as_bytes(), Expect::Loads);
    file(
        "cycle.conf",
        format!("{HEAD}region_name = $www_authenticate_uri\nwww_authenticate_uri = http://$region_name\n").as_bytes(),
        err(Code::InterpolationCycle, At::AnyLine, "cycle"),
    );
    file("expansion.conf", expansion().as_bytes(), err(Code::Interpolation, At::AnyLine, "MiB of text"));
    file("control-keys.conf", b"[keystone_authtoken]\na\x07b = 1\n\x1b[31mred = 2\n", Expect::Loads);
    file(
        "duplicate-groups.conf",
        format!("{HEAD}region_name = RegionOne\n[DEFAULT]\n{HEAD}region_name = RegionTwo\n").as_bytes(),
        Expect::Loads,
    );
    let names = "fifty-megabytes.conf".to_owned();
    let expect = err(Code::Io, At::File, "larger than 16 MiB");
    cases.push(Case { name: "fifty-megabytes.conf", path: fifty_megabytes(d), dir: false, names, expect });
    #[cfg(unix)]
    {
        let p = file_with_mode(d, "mode-000.conf", 0o000);
        let expect = if reads_mode_000(d) { Expect::Loads } else { err(Code::Io, At::File, "permission denied") };
        cases.push(Case { name: "mode-000.conf", path: p, dir: false, names: "mode-000.conf".into(), expect });
    }
    special_files(d, &mut cases);
    cases
}

#[cfg(unix)]
fn file_with_mode(d: &Dir, name: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = d.write(name, format!("{HEAD}region_name = RegionOne\n"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    p
}

/// What is not a regular file: directories, links, a FIFO, a socket,
/// devices and /proc files.
fn special_files(d: &Dir, cases: &mut Vec<Case>) {
    let err = |code, at, says| Expect::Error { code, at, says };
    let mut add = |name: &'static str, path: PathBuf, dir: bool, names: &str, expect: Expect| {
        cases.push(Case { name, path, dir, names: names.to_owned(), expect });
    };
    let root = d.path();
    std::fs::create_dir(root.join("a-directory.conf")).expect("mkdir");
    add(
        "a-directory.conf",
        root.join("a-directory.conf"),
        false,
        "a-directory.conf",
        err(Code::Io, At::File, "is a directory"),
    );
    add(
        "file-as-dir",
        d.write("file-as-dir", HEAD),
        true,
        "file-as-dir",
        err(Code::Io, At::File, "is not a directory"),
    );
    std::fs::create_dir_all(root.join("dir-in-dir.d/sub.conf")).expect("mkdir");
    add("dir-in-dir.d", root.join("dir-in-dir.d"), true, "sub.conf", err(Code::Io, At::File, "is a directory"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        std::fs::create_dir(root.join("loop.d")).expect("mkdir");
        symlink("loop.conf", root.join("loop.d/loop.conf")).expect("link");
        add("loop.d", root.join("loop.d"), true, "loop.conf", err(Code::Io, At::File, "loop of symbolic links"));
        symlink("b.conf", root.join("a.conf")).expect("link");
        symlink("a.conf", root.join("b.conf")).expect("link");
        add("a.conf", root.join("a.conf"), false, "a.conf", err(Code::Io, At::File, "loop of symbolic links"));
        symlink("nowhere.conf", root.join("dangling.conf")).expect("link");
        add(
            "dangling.conf",
            root.join("dangling.conf"),
            false,
            "dangling.conf",
            err(Code::Io, At::File, "dangling symbolic link"),
        );
        let fifo = root.join("fifo.conf");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
        assert!(made.success(), "mkfifo");
        add("fifo.conf", fifo, false, "fifo.conf", err(Code::Io, At::File, "named pipe"));
        let sock = root.join("socket.conf");
        // The socket file stays when the listener is dropped.
        std::os::unix::net::UnixListener::bind(&sock).expect("bind");
        add("socket.conf", sock, false, "socket.conf", err(Code::Io, At::File, "is a socket"));
    }
    #[cfg(target_os = "linux")]
    {
        add("/dev/zero", "/dev/zero".into(), false, "/dev/zero", err(Code::Io, At::File, "larger than 16 MiB"));
        // Readable by nobody, root included: reading a process's memory at
        // offset 0 fails with EIO.
        add("/proc/self/mem", "/proc/self/mem".into(), false, "/proc/self/mem", err(Code::Io, At::File, "cannot read"));
    }
}
