//! What the `stackauth` command does, as library calls: the binary only
//! parses arguments and prints.

pub mod generate;
pub mod migrate;
pub mod optdata;
pub mod render;
pub mod schema;
pub mod show;
pub mod text;
pub mod token;
pub mod validate;
