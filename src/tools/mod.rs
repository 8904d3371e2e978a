//! What the `stackauth` command does, as library calls: the binary only
//! parses arguments and prints.

pub mod generate;
pub mod optdata;
pub mod schema;
pub mod show;
