//! Built-in option sets ("namespaces" in oslo-config-generator's words).

pub mod keystonemiddleware;
