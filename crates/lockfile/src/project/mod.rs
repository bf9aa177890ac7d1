//! What a project directory says beside its lockfile: the root and workspace manifests
//! (`package.json`, read by [`manifest`]; workspace globs, matched by [`workspace`]), pnpm's
//! `node_modules/.modules.yaml`, Yarn Berry's linker. All of it is optional: what cannot be
//! read is left out (with less precise flags or folder names as the only cost).

pub(crate) mod manifest;
pub(crate) mod workspace;

use std::fs;
use std::path::Path;

use crate::format::Format;
use crate::paths::relative_to;
use crate::pnpm::PnpmInstall;
use crate::syntax::yaml::parse_yaml;
use crate::yarn::locked::{Importer, Want};
use manifest::{read_manifest, Manifest};
use workspace::Workspaces;

/// Folders looked at when expanding workspace globs; a bound, not a limit real projects meet.
const MAX_FOLDERS: usize = 20_000;
/// Deepest workspace folder looked for.
const MAX_DEPTH: usize = 5;

/// What the project around a lockfile says, for formats that need it.
#[derive(Debug, Default)]
pub(crate) struct Context {
    /// The root package.json's workspaces (npm lockfiles that do not record them).
    pub(crate) workspaces: Option<Workspaces>,
    /// `node_modules/.modules.yaml` of a pnpm install.
    pub(crate) pnpm: PnpmInstall,
    /// The root project and its workspaces, from their package.json files (Yarn lockfiles
    /// do not record what the project itself depends on, or not whether it is dev-only).
    pub(crate) importers: Vec<Importer>,
}

/// The context `format` needs, read from `root`.
pub(crate) fn context(root: &Path, format: Format) -> Context {
    let manifest = read_manifest(&root.join("package.json")).ok();
    let workspaces = manifest
        .as_ref()
        .map(|m| Workspaces::new(m.workspaces.iter().map(String::as_str)));
    let mut ctx = Context {
        workspaces,
        ..Context::default()
    };
    match format {
        Format::Pnpm => {
            ctx.pnpm = pnpm_install(root);
            // Without an install, `packageManager` still says which pnpm names the folders.
            let declared = manifest.as_ref().and_then(|m| m.package_manager.as_deref());
            ctx.pnpm.major = ctx.pnpm.major.or_else(|| pnpm_major(declared?));
        }
        Format::Yarn | Format::YarnBerry => {
            if let Some(m) = manifest {
                ctx.importers = importers(root, m);
            }
        }
        _ => {}
    }
    ctx
}

fn importer(folder: String, m: &Manifest) -> Importer {
    Importer {
        folder,
        name: m.name.clone().unwrap_or_default(),
        version: m.version.clone().unwrap_or_default(),
        deps: m
            .specs
            .iter()
            .map(|(name, range, kind)| Want {
                name: name.clone(),
                descriptor: format!("{name}@{range}"),
                kind: *kind,
            })
            .collect(),
    }
}

/// The root (`""`) and every workspace folder with a readable package.json.
fn importers(root: &Path, manifest: Manifest) -> Vec<Importer> {
    let globs = Workspaces::new(manifest.workspaces.iter().map(String::as_str));
    let mut out = vec![importer(String::new(), &manifest)];
    if manifest.workspaces.is_empty() {
        return out;
    }
    let mut queue = vec![(root.to_path_buf(), 0usize)];
    let mut seen = 0;
    while let Some((dir, depth)) = queue.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir || name.starts_with('.') || name == "node_modules" || seen > MAX_FOLDERS {
                continue;
            }
            let rel = relative_to(root, &entry.path());
            if globs.matches(&rel) {
                if let Ok(m) = read_manifest(&entry.path().join("package.json")) {
                    out.push(importer(rel, &m));
                }
            }
            if depth + 1 < MAX_DEPTH {
                queue.push((entry.path(), depth + 1));
            }
        }
    }
    out.sort_by(|a, b| a.folder.cmp(&b.folder));
    out
}

/// `node_modules/.modules.yaml` (YAML up to pnpm 9, JSON from pnpm 10: both parse as YAML).
fn pnpm_install(root: &Path) -> PnpmInstall {
    let path = root.join("node_modules/.modules.yaml");
    let Ok(text) = crate::file::read_regular_text(&path, crate::file::MANIFEST_LIMIT) else {
        return PnpmInstall::default();
    };
    let Ok(doc) = parse_yaml(&path, &text) else {
        return PnpmInstall::default();
    };
    let text_of = |key: &str| doc.get(key).and_then(|n| n.str()).map(str::to_string);
    let major = text_of("packageManager").and_then(|pm| pnpm_major(&pm));
    let store_dir = text_of("virtualStoreDir").map(|dir| match Path::new(&dir).is_absolute() {
        true => relative_to(root, Path::new(&dir)),
        false => format!("node_modules/{dir}"),
    });
    PnpmInstall {
        major,
        max_len: text_of("virtualStoreDirMaxLength").and_then(|v| v.parse().ok()),
        store_dir,
        hoisted: text_of("nodeLinker").as_deref() == Some("hoisted"),
    }
}

/// `9` from `pnpm@9.1.0` (also with a `+sha512…` suffix).
fn pnpm_major(spec: &str) -> Option<u32> {
    spec.strip_prefix("pnpm@")?.split('.').next()?.parse().ok()
}

/// Yarn Berry's linker: `nodeLinker` of `.yarnrc.yml` (default `pnp`).
pub(crate) fn berry_linker(root: &Path) -> String {
    let path = root.join(".yarnrc.yml");
    let linker = crate::file::read_regular_text(&path, crate::file::MANIFEST_LIMIT)
        .ok()
        .and_then(|text| parse_yaml(&path, &text).ok())
        .and_then(|doc| {
            doc.get("nodeLinker")
                .and_then(|n| n.str())
                .map(str::to_string)
        });
    linker.unwrap_or_else(|| "pnp".to_string())
}
