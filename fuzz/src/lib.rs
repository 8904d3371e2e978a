//! What the fuzz targets share: a schema with every option type, a scratch
//! file per process, and a way to run the plugins' futures.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use stackauth::opt::{
    DeprecatedName, DictType, IpVersion, ListType, NumberType, Opt, OptType, Pattern, Registry, StringType, UriType,
};

/// Every option type, with the bounds and flags that change how it parses.
pub fn every_type() -> Vec<OptType> {
    let string = |f: fn(&mut StringType)| {
        let mut t = StringType::default();
        f(&mut t);
        OptType::String(t)
    };
    vec![
        OptType::string(),
        OptType::string_choices(["public", "internal", "admin"]),
        string(|t| {
            t.choices = Some(vec![("Yes".into(), None), ("NO".into(), None)]);
            t.ignore_case = true;
        }),
        string(|t| t.regex = Pattern::new("^[a-z]+[0-9]*$", false).ok()),
        string(|t| t.regex = Pattern::new("ab+c", true).ok()),
        string(|t| t.max_length = 8),
        string(|t| t.quotes = true),
        OptType::integer(),
        OptType::integer_range(Some(-5), Some(300)),
        OptType::Integer(NumberType { min: None, max: None, choices: Some(vec![(1, None), (10, None)]) }),
        OptType::float(),
        OptType::Float(NumberType { min: Some(0.5), max: Some(2.5), choices: None }),
        OptType::boolean(),
        OptType::port(),
        OptType::list(),
        OptType::list_of(OptType::integer()),
        OptType::List(ListType { item: Box::new(OptType::port()), bounds: true, min_length: 1 }),
        OptType::dict(),
        OptType::dict_of(OptType::boolean()),
        OptType::Dict(DictType { value: Box::new(OptType::integer()), bounds: true, separator: '=', min_length: 1 }),
        OptType::ip_address(),
        OptType::IpAddress(Some(IpVersion::V4)),
        OptType::IpAddress(Some(IpVersion::V6)),
        OptType::host_address(),
        OptType::HostAddress(Some(IpVersion::V6)),
        OptType::host_domain(),
        OptType::Hostname,
        OptType::uri(),
        OptType::Uri(UriType { schemes: vec!["https".into(), "HTTP".into()], max_length: Some(40) }),
    ]
}

/// keystonemiddleware's options (legacy ones and their compound included),
/// plus `[DEFAULT]` and `[g]` with one option of every type (`t0`, `t1`...),
/// a secret, a multi-valued option and a renamed one.
pub fn schema() -> &'static Registry {
    static SCHEMA: OnceLock<Registry> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut r = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("built-in namespace");
        for group in ["DEFAULT", "g"] {
            for (i, t) in every_type().into_iter().enumerate() {
                r.register_opt(group, Opt::new(format!("t{i}"), t)).expect("register");
            }
            let extra = [
                Opt::string("password").secret(),
                Opt::multi_string("multi"),
                Opt::string("new").deprecated_name(DeprecatedName::name_in_group("old", "legacy")),
                Opt::string("host").default("localhost"),
            ];
            r.register_opts(group, extra).expect("register");
        }
        r
    })
}

/// A file of this process with extension `ext`: the loader reads files,
/// so targets that load write their input here. In
/// `$STACKAUTH_FUZZ_SCRATCH` (smoke.sh sets it and removes it), else in
/// /dev/shm or the temp dir.
pub fn scratch(ext: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let base = match std::env::var_os("STACKAUTH_FUZZ_SCRATCH") {
            Some(d) => PathBuf::from(d),
            None if Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
            None => std::env::temp_dir(),
        };
        let d = base.join(format!("stackauth-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    });
    dir.join(format!("input.{ext}"))
}

/// Runs a future that never waits (the targets' transports answer at once).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
