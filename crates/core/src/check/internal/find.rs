//! Where internal signatures are found: sidecars of `file:` tarballs and the offline store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigverify_cosign::ArtifactInput;
use url::Url;

use super::trust::InternalTrust;
use crate::model::{CheckOutcome, InternalSignature, PackageResult};
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
    pin_local_tarball(result, &bytes, &integrity);
    let found = judge_tarball(result, &context.trust, bytes, &files, "sidecar");
    result.internal_signatures.extend(found);
    result.integrity = Some(integrity);
}

/// The lockfile's pin must be of these bytes, in whatever algorithm the lockfile uses: the
/// signature covers the bytes themselves (no registry signed a sha512 a weaker pin could
/// stand in for), and the installed files are compared with them. Yarn 1 pins a `file:`
/// tarball by its sha1 only.
fn pin_local_tarball(result: &mut PackageResult, bytes: &[u8], sha512: &str) {
    let Some(pinned) = result.lockfile_integrity.clone() else {
        crate::check::integrity::check_integrity(result, sha512, None, None);
        return;
    };
    result.checks.integrity = match sigverify_content::check_integrity(bytes, &pinned) {
        Ok(()) => CheckOutcome::passed(),
        Err(e) => CheckOutcome::failed(
            Code::IntegrityMismatch,
            format!(
                "{}: the lockfile pins integrity {pinned}, which is not the tarball beside its signatures: {e}",
                result.id()
            ),
        ),
    };
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
        Some(bytes) => judge_tarball(result, &context.trust, bytes, &files, "store"),
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

/// Judges the signature `files` over a package's tarball `bytes`. A signature covers bytes,
/// not a name: the bytes name their package in their own `package.json`, and that must be the
/// entry the signature is counted for (else a signed 1.0.0 tarball, or another package's, would
/// pass as 2.0.0 under a copied signature file).
fn judge_tarball(
    result: &PackageResult,
    trust: &InternalTrust,
    bytes: Vec<u8>,
    files: &[PathBuf],
    source: &str,
) -> Vec<InternalSignature> {
    if let Err(why) = names_entry(result, &bytes) {
        let failed = |f: &PathBuf| {
            let location = f.display().to_string();
            InternalSignature::failed(
                source,
                location,
                Code::InternalSignature.as_str(),
                why.clone(),
            )
        };
        return files.iter().map(failed).collect();
    }
    let artifact = ArtifactInput::Bytes(bytes);
    files
        .iter()
        .map(|f| trust.judge_file(&artifact, f, source))
        .collect()
}

/// Whether the tarball's `package.json` names `result`'s package and version.
fn names_entry(result: &PackageResult, tarball: &[u8]) -> Result<(), String> {
    let id = result.id();
    let manifest = sigverify_content::read_tarball(tarball)
        .map_err(|e| format!("{id}: the signed tarball cannot be read ({e})"))?;
    let package: serde_json::Value = manifest
        .package_json()
        .and_then(|json| serde_json::from_slice(json).ok())
        .ok_or_else(|| format!("{id}: the signed tarball has no readable package.json"))?;
    let (name, version) = (package["name"].as_str(), package["version"].as_str());
    if name == Some(result.name.as_str()) && version == Some(result.version.as_str()) {
        return Ok(());
    }
    Err(format!(
        "{id}: the signed tarball is {}@{}, not this package: a signature counts only for the package its bytes name",
        name.unwrap_or("(no name)"),
        version.unwrap_or("(no version)")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CheckState;

    fn local(lockfile: Option<String>) -> PackageResult {
        let mut r = PackageResult::new("lib", "1.0.0", "node_modules/lib", "local-tarball");
        r.lockfile_integrity = lockfile;
        r
    }

    fn sri(algorithm: &str, digest: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        format!("{algorithm}-{b64}")
    }

    /// Yarn 1 pins a `file:` tarball by sha1 only: that pin of the signed bytes is kept (no
    /// registry signed a sha512 it would stand in for), another one fails.
    #[test]
    fn a_local_tarball_is_held_to_its_lockfile_pin_in_the_lockfiles_algorithm() {
        let sha1_of = |b: &[u8]| sigverify_content::Algorithm::Sha1.digest(b);
        let bytes = b"tarball bytes";
        let sha512 = crate::check::integrity::sha512_sri(bytes);
        let sha1 = sri("sha1", &sha1_of(bytes));
        let mut yarn1 = local(Some(sha1));
        pin_local_tarball(&mut yarn1, bytes, &sha512);
        assert_eq!(yarn1.checks.integrity.state, CheckState::Passed);
        let other = sri("sha1", &sha1_of(b"other bytes"));
        let mut swapped = local(Some(other));
        pin_local_tarball(&mut swapped, bytes, &sha512);
        assert_eq!(swapped.checks.integrity.code, Some(Code::IntegrityMismatch));
        let mut npm = local(Some(sha512.clone()));
        pin_local_tarball(&mut npm, bytes, &sha512);
        assert_eq!(npm.checks.integrity.state, CheckState::Passed);
        let mut unpinned = local(None);
        pin_local_tarball(&mut unpinned, bytes, &sha512);
        assert_eq!(unpinned.checks.integrity.state, CheckState::NotApplicable);
    }
}
