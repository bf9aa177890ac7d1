//! Where internal signatures are found: sidecars of `file:` tarballs and the offline store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigverify_cosign::ArtifactInput;
use url::Url;

use super::trust::InternalTrust;
use crate::model::{InternalSignature, PackageResult};
use crate::source::evidence::Store;
use crate::Code;

/// Signature files for `base` in `dir`: `base.sig`, `base.sigstore.json` and
/// `base.<label>.sig` / `base.<label>.sigstore.json`, sorted by name.
pub fn signature_files(dir: &Path, base: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let prefix = format!("{base}.");
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix(&prefix).is_some_and(is_signature_suffix)
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// `sig`, `sigstore.json`, `<label>.sig` or `<label>.sigstore.json` (label without dots).
fn is_signature_suffix(rest: &str) -> bool {
    let label = rest
        .strip_suffix("sigstore.json")
        .or_else(|| rest.strip_suffix("sig"));
    match label {
        Some("") => true,
        Some(label) => label
            .strip_suffix('.')
            .is_some_and(|l| !l.is_empty() && !l.contains('.')),
        None => false,
    }
}

/// Where the internal signature files of registry packages live in an offline store.
pub fn store_signature_dir(store: &Store, registry: &Url, name: &str) -> (PathBuf, String) {
    let dir = store
        .registry_dir(registry)
        .join("-/npm-sigverify/internal");
    match name.split_once('/') {
        Some((scope, bare)) => (dir.join(scope), bare.to_string()),
        None => (dir, name.to_string()),
    }
}

/// What the sidecar and store lookups need.
pub(crate) struct InternalContext {
    pub trust: Arc<InternalTrust>,
    /// The project root (`file:` tarball paths are relative to it).
    pub root: PathBuf,
    /// The offline store, when verifying offline.
    pub store: Option<Store>,
    /// npm's cache folder, where registry tarballs are found by integrity.
    pub npm_cache: Option<PathBuf>,
}

pub(super) fn find_and_judge(result: &mut PackageResult, context: &InternalContext) {
    if matches!(
        result.checks.registry_signature.code,
        Some(Code::Omitted | Code::NotInstalled)
    ) {
        return;
    }
    match result.source.as_str() {
        "local-tarball" => sidecar_signatures(result, context),
        "registry" => {
            let found = store_signatures(result, context);
            result.internal_signatures.extend(found);
        }
        _ => {}
    }
}

/// Judges the sidecars of a `file:` tarball; the tarball's sha512 becomes the package's
/// integrity (held against the lockfile's, and used by the content check).
fn sidecar_signatures(result: &mut PackageResult, context: &InternalContext) {
    let Some(path) = crate::source::tarball::local_tarball_path(result, &context.root) else {
        return;
    };
    let (Some(dir), Some(base)) = (path.parent(), path.file_name()) else {
        return;
    };
    let files = signature_files(dir, &base.to_string_lossy());
    if files.is_empty() {
        return;
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let why = format!("cannot read the tarball {}: {e}", path.display());
            let location = path.display().to_string();
            let failed = InternalSignature::failed("sidecar", location, "EINTERNALTARBALL", why);
            result.internal_signatures.push(failed);
            return;
        }
    };
    let integrity = crate::check::integrity::sha512_sri(&bytes);
    let found = judge_files(
        &context.trust,
        ArtifactInput::Bytes(bytes),
        &files,
        "sidecar",
    );
    result.internal_signatures.extend(found);
    let lockfile = result.lockfile_integrity.clone();
    crate::check::integrity::check_integrity(result, &integrity, lockfile.as_deref(), None);
    result.integrity = Some(integrity);
}

fn store_signatures(result: &PackageResult, context: &InternalContext) -> Vec<InternalSignature> {
    let (Some(store), Some(registry)) = (&context.store, result.registry.as_deref()) else {
        return Vec::new();
    };
    let Ok(registry) = Url::parse(registry) else {
        return Vec::new();
    };
    let (dir, bare) = store_signature_dir(store, &registry, &result.name);
    let files = signature_files(&dir, &format!("{bare}@{}", result.version));
    if files.is_empty() {
        return Vec::new();
    }
    let tarball = result.integrity.as_deref().and_then(|integrity| {
        let cache = context.npm_cache.as_deref()?;
        sigverify_content::find_cached_tarball(cache, integrity)
    });
    match tarball {
        Some(bytes) => judge_files(&context.trust, ArtifactInput::Bytes(bytes), &files, "store"),
        None => files
            .iter()
            .map(|f| {
                let why = format!(
                    "{}@{}: the signed tarball is not in npm's cache, so {} cannot be checked (run npm ci first)",
                    result.name,
                    result.version,
                    f.display()
                );
                InternalSignature::failed("store", f.display().to_string(), "EINTERNALTARBALL", why)
            })
            .collect(),
    }
}

fn judge_files(
    trust: &InternalTrust,
    artifact: ArtifactInput,
    files: &[PathBuf],
    source: &str,
) -> Vec<InternalSignature> {
    files
        .iter()
        .map(|f| trust.judge_file(&artifact, f, source))
        .collect()
}
