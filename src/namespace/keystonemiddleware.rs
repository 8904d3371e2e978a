pub fn registry() -> crate::opt::Registry { crate::opt::Registry::new() }
