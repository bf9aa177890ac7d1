//! The lockfile fields this crate reads, in their wire form (see [`super::raw`]).
//! Unknown fields (`license`, `engines`, `dependencies` of v2 entries, …) are skipped.

use super::raw::{Entries, Globs, Loose, Shaped};

/// The top level of a lockfile (only the fields this crate reads).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RawLockfile<'a> {
    #[serde(rename = "lockfileVersion", borrow)]
    pub(crate) lockfile_version: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) packages: Option<Shaped<Entries<'a, Shaped<RawEntry<'a>>>>>,
    #[serde(borrow)]
    pub(crate) dependencies: Option<Shaped<Entries<'a, Shaped<RawDep<'a>>>>>,
}

/// One entry of the v2/v3 `packages` map.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawEntry<'a> {
    #[serde(borrow)]
    pub(crate) name: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) version: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) resolved: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) integrity: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) link: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) dev: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) optional: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) dev_optional: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) peer: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) in_bundle: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) has_install_script: Option<Loose<'a>>,
    /// Kept whole (an object, a string or anything else npm would normalise).
    pub(crate) bin: Option<serde_json::Value>,
    #[serde(borrow)]
    pub(crate) workspaces: Option<Globs<'a>>,
}

/// One entry of the v1 `dependencies` tree.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawDep<'a> {
    #[serde(borrow)]
    pub(crate) version: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) resolved: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) integrity: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) dev: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) optional: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) dev_optional: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) peer: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) bundled: Option<Loose<'a>>,
    #[serde(borrow)]
    pub(crate) dependencies: Option<Shaped<Entries<'a, Shaped<RawDep<'a>>>>>,
}
