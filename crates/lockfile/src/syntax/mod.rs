//! The syntax layer: text to a generic tree, with the line and column of every error and of
//! every value, before any format's typed checks. npm's lockfiles need none of this (serde
//! reads them straight into their wire types, see `npm/raw.rs`).

pub(crate) mod jsonc;
pub(crate) mod yaml;
pub(crate) mod yaml_check;
pub(crate) mod yarn;
