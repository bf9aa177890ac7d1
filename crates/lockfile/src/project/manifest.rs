//! The few `package.json` fields a `node_modules` walk needs.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::serde_message;
use crate::flags::EdgeKind;

/// `bundleDependencies`: `true` (everything) or a list of names.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum BundleSpec {
    All(bool),
    Names(Vec<String>),
}

/// `workspaces`: a list of globs or yarn's `{ "packages": [...] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum WorkspacesSpec {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

#[derive(Debug, Deserialize)]
struct RawManifest {
    name: Option<String>,
    version: Option<String>,
    #[serde(rename = "_resolved")]
    resolved: Option<String>,
    #[serde(rename = "_integrity")]
    integrity: Option<String>,
    #[serde(rename = "_inBundle")]
    in_bundle: Option<bool>,
    #[serde(rename = "bundleDependencies", alias = "bundledDependencies")]
    bundle: Option<BundleSpec>,
    workspaces: Option<WorkspacesSpec>,
    // Values are left untyped: only the presence of a script matters.
    scripts: Option<HashMap<String, serde::de::IgnoredAny>>,
    // Dependency maps are read leniently (only their keys matter): old packages carry odd
    // shapes here, and a walk must not drop a package over them.
    dependencies: Option<Value>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Option<Value>,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Option<Value>,
    #[serde(rename = "peerDependenciesMeta")]
    peer_dependencies_meta: Option<Value>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Option<Value>,
    #[serde(rename = "packageManager")]
    package_manager: Option<Value>,
}

/// A checked `package.json`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Manifest {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    /// npm 6 recorded where it fetched the package from.
    pub(crate) resolved: Option<String>,
    pub(crate) integrity: Option<String>,
    /// npm 6 marked bundled packages with `_inBundle: true`.
    pub(crate) in_bundle: bool,
    pub(crate) bundle: Option<BundleSpec>,
    pub(crate) workspaces: Vec<String>,
    /// `preinstall`, `install` or `postinstall` is defined.
    pub(crate) has_install_script: bool,
    /// Declared dependencies, by kind (`devDependencies` kept apart: only tops use them).
    pub(crate) declared: Vec<(String, EdgeKind)>,
    pub(crate) dev_edges: Vec<String>,
    /// Declared dependencies with their ranges, `(name, range, kind)`, for lockfiles keyed
    /// by descriptor (Yarn); dev ones included.
    pub(crate) specs: Vec<(String, String, EdgeKind)>,
    /// `packageManager` (`pnpm@9.1.0`), when it is a string.
    pub(crate) package_manager: Option<String>,
}

impl Manifest {
    /// The edges npm follows out of this package: later kinds override earlier ones, in
    /// arborist's order (peer, prod, optional, then dev for the root and linked folders).
    pub(crate) fn edges(&self, top: bool) -> Vec<(String, EdgeKind)> {
        let mut edges = self.declared.clone();
        if top {
            edges.extend(self.dev_edges.iter().map(|n| (n.clone(), EdgeKind::Dev)));
        }
        let mut out: Vec<(String, EdgeKind)> = Vec::with_capacity(edges.len());
        for (name, kind) in edges {
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some(existing) => existing.1 = kind,
                None => out.push((name, kind)),
            }
        }
        out
    }
}

fn keys(map: &Option<Value>) -> impl Iterator<Item = &String> {
    map.as_ref()
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

/// `peerDependenciesMeta[name].optional === true`.
fn peer_optional(meta: &Option<Value>, name: &str) -> bool {
    let optional = meta
        .as_ref()
        .and_then(|m| m.get(name)?.get("optional")?.as_bool());
    optional == Some(true)
}

fn declared_edges(raw: &RawManifest) -> Vec<(String, EdgeKind)> {
    let peers = keys(&raw.peer_dependencies).map(|n| {
        let kind = match peer_optional(&raw.peer_dependencies_meta, n) {
            true => EdgeKind::PeerOptional,
            false => EdgeKind::Peer,
        };
        (n.clone(), kind)
    });
    let prod = keys(&raw.dependencies).map(|n| (n.clone(), EdgeKind::Prod));
    let optional = keys(&raw.optional_dependencies).map(|n| (n.clone(), EdgeKind::Optional));
    peers.chain(prod).chain(optional).collect()
}

/// `(name, range)` of a dependency map's string values.
fn ranges(map: &Option<Value>) -> impl Iterator<Item = (String, String)> + '_ {
    map.as_ref()
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
}

fn specs(raw: &RawManifest) -> Vec<(String, String, EdgeKind)> {
    let mut out = Vec::new();
    let sections = [
        (&raw.dependencies, EdgeKind::Prod),
        (&raw.optional_dependencies, EdgeKind::Optional),
        (&raw.dev_dependencies, EdgeKind::Dev),
    ];
    for (map, kind) in sections {
        out.extend(ranges(map).map(|(n, r)| (n, r, kind)));
    }
    out
}

/// Reads `path`; the error names the file and, for bad JSON, the line and column.
pub(crate) fn read_manifest(path: &Path) -> Result<Manifest, String> {
    let text = crate::file::read_regular_text(path, crate::file::MANIFEST_LIMIT)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let raw: RawManifest = serde_json::from_str(text).map_err(|e| {
        let msg = serde_message(&e);
        format!("{}:{}:{}: {msg}", path.display(), e.line(), e.column())
    })?;
    Ok(Manifest::from(raw))
}

impl From<RawManifest> for Manifest {
    fn from(raw: RawManifest) -> Self {
        let declared = declared_edges(&raw);
        let specs = specs(&raw);
        let package_manager = raw
            .package_manager
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_string);
        let dev_edges = keys(&raw.dev_dependencies).cloned().collect();
        let scripts = raw.scripts.unwrap_or_default();
        let has_install_script = ["preinstall", "install", "postinstall"]
            .iter()
            .any(|s| scripts.contains_key(*s));
        let workspaces = match raw.workspaces {
            Some(WorkspacesSpec::List(globs)) => globs,
            Some(WorkspacesSpec::Object { packages }) => packages,
            None => Vec::new(),
        };
        Manifest {
            declared,
            dev_edges,
            name: raw.name,
            version: raw.version,
            resolved: raw.resolved,
            integrity: raw.integrity,
            in_bundle: raw.in_bundle.unwrap_or(false),
            bundle: raw.bundle,
            workspaces,
            has_install_script,
            specs,
            package_manager,
        }
    }
}
