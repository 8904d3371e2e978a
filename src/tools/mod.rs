//! What the `stackauth` command does, as library calls: the binary only
//! parses arguments and prints.

pub mod show;
