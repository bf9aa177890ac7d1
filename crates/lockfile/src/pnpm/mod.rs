//! `pnpm-lock.yaml`, lockfile versions 6 (pnpm 8) and 9 (pnpm 9, 10, 11).
//!
//! Every store package becomes a [`Package`] at the real folder pnpm creates:
//! `node_modules/.pnpm/<folder>/node_modules/<name>` (see [`path`]). Importers
//! other than the root become [`Source::Workspace`] packages at their folder; `link:`
//! dependencies become [`Source::Directory`] packages at the linked folder. The layout is
//! [`Layout::Explicit`]: one edge per importer dependency (from `""` or the importer's folder)
//! and per store dependency (from the dependent's store folder). `catalogs`, `overrides`,
//! `settings`, `patchedDependencies` and `time` are accepted and not needed.
//!
//! [`entry`] reads one store package; [`path`] names its folder the way pnpm does.

mod entry;
mod path;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{key_path, LockfileError};
use crate::flags::{calc_flags_graph, EdgeKind};
use crate::model::{Input, Layout, Linker, Manager, Package, Source, Tree};
use crate::paths::join_relative;
use crate::syntax::yaml::{parse_documents, Node};
use crate::syntax::yaml_check::YamlDoc;
use entry::{read_entry, ref_to_dep_path, Store, StorePackage};
use path::{without_suffix, Flavor};

/// What `node_modules/.modules.yaml` says about an install, when there is one.
#[derive(Debug, Clone, Default)]
pub(crate) struct PnpmInstall {
    /// The pnpm major version that installed (`packageManager: pnpm@10.34.9`).
    pub(crate) major: Option<u32>,
    /// `virtualStoreDirMaxLength`.
    pub(crate) max_len: Option<usize>,
    /// `virtualStoreDir`, relative to the project root.
    pub(crate) store_dir: Option<String>,
    /// `nodeLinker: hoisted`: an npm-like `node_modules` instead of the store.
    pub(crate) hoisted: bool,
}

/// A dependency as an importer or a store package records it, before resolution.
struct Dep<'n> {
    from: String,
    /// The folder `link:` references are relative to: the importer's, or the lockfile's own
    /// for store packages.
    base: String,
    name: &'n str,
    reference: &'n str,
    kind: EdgeKind,
}

/// Parses `pnpm-lock.yaml`. `install` (from `.modules.yaml`) picks the folder naming rules of
/// the pnpm that installed; without it, lockfile v6 is named like pnpm 8 and v9 like pnpm 11.
pub(crate) fn parse_pnpm(
    path: &Path,
    text: &str,
    install: &PnpmInstall,
) -> Result<Tree, LockfileError> {
    let doc = YamlDoc { file: path };
    // pnpm 10+ may put an "env" document (config dependencies) before the lockfile proper,
    // and reads nothing after it: a third document is no lockfile pnpm writes or reads alike.
    let mut documents = parse_documents(path, text)?;
    if documents.len() > 2 {
        let why = format!(
            "{} YAML documents: pnpm writes at most two (its env document, then the lockfile)",
            documents.len()
        );
        return Err(doc_error(path, &why));
    }
    let root = documents
        .pop()
        .ok_or_else(|| doc_error(path, "empty lockfile"))?;
    let version = lockfile_version(doc, &root)?;
    let v6 = version.starts_with('6');
    let flavor = Flavor {
        major: install.major.unwrap_or(if v6 { 8 } else { 11 }),
        max_len: install.max_len.unwrap_or(120),
    };
    let store_dir = install
        .store_dir
        .clone()
        .unwrap_or("node_modules/.pnpm".into());
    let store = Store {
        dir: &store_dir,
        flavor,
    };
    let mut graph = Graph::default();
    read_store(doc, &root, store, v6, &mut graph)?;
    read_importers(doc, &root, &mut graph)?;
    let major = version.split('.').next().and_then(|m| m.parse().ok());
    Ok(graph.into_tree(path, v6, major))
}

fn doc_error(path: &Path, message: &str) -> LockfileError {
    LockfileError::Parse {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message: message.to_string(),
    }
}

fn lockfile_version(doc: YamlDoc<'_>, root: &Node) -> Result<String, LockfileError> {
    if root.map().is_none() {
        return Err(doc.error(
            root,
            "(root)",
            format!("expected a mapping, found {}", root.kind()),
        ));
    }
    let version = doc.str(root, "lockfileVersion", "(root)")?;
    let major = version.split('.').next().unwrap_or("");
    match major {
        "6" | "7" | "9" => Ok(version.to_string()),
        _ => Err(LockfileError::UnsupportedFormat {
            file: doc.file.to_path_buf(),
            found: version.to_string(),
            supported: "pnpm lockfile 6.x (pnpm 8) and 9.0 (pnpm 9 and later)",
        }),
    }
}

/// Packages, their store dependencies and the importers' dependencies, before edges resolve.
#[derive(Default)]
struct Graph<'n> {
    packages: Vec<Package>,
    recorded: Vec<Option<(Option<bool>, Option<bool>)>>,
    by_dep_path: HashMap<String, usize>,
    deps: Vec<Dep<'n>>,
    /// Importer folders (`""` for the root), in lockfile order.
    importers: Vec<String>,
}

fn read_store<'n>(
    doc: YamlDoc<'_>,
    root: &'n Node,
    store: Store<'_>,
    v6: bool,
    graph: &mut Graph<'n>,
) -> Result<(), LockfileError> {
    let packages = doc.map(root.get("packages"), "packages")?;
    let snapshots = match v6 {
        true => packages,
        false => doc.map(root.get("snapshots"), "snapshots")?,
    };
    let infos: HashMap<&str, &Node> = packages.iter().map(|(k, v)| (k.as_str(), v)).collect();
    for (dep_path, snapshot) in snapshots {
        let info = match v6 {
            true => snapshot,
            false => *infos.get(without_suffix(dep_path)).ok_or_else(|| {
                let msg = "no entry in packages for this snapshot";
                doc.error(snapshot, &key_path("snapshots", dep_path), msg)
            })?,
        };
        let StorePackage {
            package,
            deps,
            recorded,
        } = read_entry(doc, store, dep_path, info, snapshot)?;
        for (name, reference, kind) in deps {
            graph.deps.push(Dep {
                from: package.location.clone(),
                base: String::new(),
                name,
                reference,
                kind,
            });
        }
        graph
            .by_dep_path
            .insert(dep_path.clone(), graph.packages.len());
        graph.packages.push(package);
        graph.recorded.push(recorded);
    }
    Ok(())
}

const SECTIONS: [(&str, EdgeKind); 3] = [
    ("dependencies", EdgeKind::Prod),
    ("optionalDependencies", EdgeKind::Optional),
    ("devDependencies", EdgeKind::Dev),
];

fn read_importers<'n>(
    doc: YamlDoc<'_>,
    root: &'n Node,
    graph: &mut Graph<'n>,
) -> Result<(), LockfileError> {
    let Some(importers) = root.get("importers") else {
        // pnpm 8 writes a project without workspaces with its dependencies at the top level.
        return read_importer(doc, ".", root, graph);
    };
    for (folder, importer) in doc.map(Some(importers), "importers")? {
        read_importer(doc, folder, importer, graph)?;
    }
    Ok(())
}

fn read_importer<'n>(
    doc: YamlDoc<'_>,
    folder: &str,
    importer: &'n Node,
    graph: &mut Graph<'n>,
) -> Result<(), LockfileError> {
    let from = match folder {
        "." => String::new(),
        other => other.to_string(),
    };
    let base = key_path("importers", folder);
    for (section, kind) in SECTIONS {
        let path = format!("{base}.{section}");
        for (name, spec) in doc.map(importer.get(section), &path)? {
            let reference = match spec.str() {
                Some(r) => r,
                None => doc.str(spec, "version", &key_path(&path, name))?,
            };
            graph.deps.push(Dep {
                from: from.clone(),
                base: from.clone(),
                name,
                reference,
                kind,
            });
        }
    }
    graph.importers.push(from);
    Ok(())
}

impl Graph<'_> {
    fn into_tree(mut self, path: &Path, v6: bool, major: Option<u32>) -> Tree {
        self.add_local_folders();
        let edges = self.resolve_edges(v6);
        self.set_flags(&edges);
        let mut packages = self.packages;
        packages.sort_by(|a, b| a.location.cmp(&b.location));
        packages.dedup_by(|a, b| a.location == b.location);
        let edges = edges
            .into_iter()
            .map(|(from, name, to, _)| ((from, name), to));
        Tree {
            root: path.parent().unwrap_or(Path::new("")).to_path_buf(),
            input: Input::PackageLock,
            manager: Manager::Pnpm,
            layout: Layout::Explicit {
                edges: edges.collect::<BTreeMap<_, _>>(),
            },
            linker: Linker::Isolated,
            input_path: path.to_path_buf(),
            lockfile_version: major,
            packages,
            problems: Vec::new(),
        }
    }

    /// Workspace importers and `link:` targets as packages at their own folders.
    fn add_local_folders(&mut self) {
        let mut links: Vec<(String, String)> = Vec::new();
        for dep in &self.deps {
            if let Some(target) = dep.reference.strip_prefix("link:") {
                let location = join_relative(&dep.base, target);
                links.push((location, dep.name.to_string()));
            }
        }
        for folder in self.importers.iter().filter(|f| !f.is_empty()) {
            let name = links
                .iter()
                .find(|(l, _)| l == folder)
                .map(|(_, n)| n.clone());
            let name = name.unwrap_or_else(|| crate::spec::split_location(folder).0.to_string());
            self.packages.push(local(folder, name, true));
        }
        for (location, name) in links {
            if !self.importers.contains(&location) && !location.is_empty() {
                self.packages.push(local(&location, name, false));
            }
        }
    }

    /// `(from, dependency name, target location, kind)` for every dependency that resolves.
    fn resolve_edges(&self, v6: bool) -> Vec<(String, String, String, EdgeKind)> {
        let mut out = Vec::with_capacity(self.deps.len());
        for dep in &self.deps {
            let target = match ref_to_dep_path(dep.reference, dep.name, v6) {
                None => {
                    let link = dep.reference.strip_prefix("link:").unwrap_or_default();
                    join_relative(&dep.base, link)
                }
                Some(dep_path) => match self.by_dep_path.get(&dep_path) {
                    Some(&i) => self.packages[i].location.clone(),
                    // An optional dependency skipped on this platform has no entry.
                    None => continue,
                },
            };
            out.push((dep.from.clone(), dep.name.to_string(), target, dep.kind));
        }
        out
    }

    /// v6 records `dev`/`optional` per package; v9 does not, so they are computed from the
    /// importers' edges like pnpm does (dev: only reached through devDependencies).
    fn set_flags(&mut self, edges: &[(String, String, String, EdgeKind)]) {
        let index: HashMap<&str, usize> = self
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.location.as_str(), i))
            .collect();
        let mut root = Vec::new();
        let mut out = vec![Vec::new(); self.packages.len()];
        for (from, _, to, kind) in edges {
            let Some(&to) = index.get(to.as_str()) else {
                continue;
            };
            match index.get(from.as_str()) {
                Some(&i) if !self.importers.contains(from) => out[i].push((to, *kind)),
                _ => root.push((to, *kind)),
            }
        }
        calc_flags_graph(&root, &out, &mut self.packages);
        for (pkg, recorded) in self.packages.iter_mut().zip(&self.recorded) {
            if let Some((dev, optional)) = recorded {
                pkg.dev = *dev == Some(true);
                pkg.optional = *optional == Some(true);
                pkg.dev_optional = false;
            }
            if matches!(pkg.source, Source::Workspace { .. }) {
                (pkg.dev, pkg.optional, pkg.dev_optional, pkg.peer) = (false, false, false, false);
            }
        }
    }
}

fn local(folder: &str, name: String, workspace: bool) -> Package {
    let path = folder.to_string();
    let source = match workspace {
        true => Source::Workspace { path: path.clone() },
        false => Source::Directory { path: path.clone() },
    };
    let mut pkg = Package::bare(&name, "", path.clone(), source);
    pkg.resolved = Some(path);
    pkg
}
