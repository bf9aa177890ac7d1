//! Where evidence comes from: a registry over HTTP, or an offline evidence store on disk.
//!
//! The store mirrors the registry's URL paths, one folder per registry host (with `:port`):
//! `STORE/<host>/-/npm/v1/keys`, `STORE/<host>/<name>` (scoped names as `@scope/name`),
//! `STORE/<host>/-/npm/v1/attestations/<name>@<version>` and, for the signals that read
//! signed tarballs, `STORE/<host>/-/tarballs/<tarball URL path>`. A registry served under a path
//! (`https://host/npm/`) keeps that path below the host folder. The offline source never touches
//! the network, and a file that is not in the store is an error, never an empty answer.

use std::path::{Path, PathBuf};

use url::Url;

use crate::source::registry::{
    Conditional, FetchError, RegistryClient, Validators, ACCEPT_CORGI, ACCEPT_FULL,
};

/// A source of registry evidence.
#[derive(Clone)]
pub enum Evidence {
    /// Fetch from the registries.
    Online(RegistryClient),
    /// Read from an evidence store written by `npm-sigverify fetch`.
    Offline(Store),
}

/// Why evidence could not be obtained.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EvidenceError {
    /// The registry request failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The offline store does not hold this document.
    #[error("not in the offline store: {0}")]
    NotInStore(PathBuf),
    /// The store holds other registries than the one configured.
    #[error("not in the offline store: {path} (the store holds {hosts}: verify with the --registry its fetch used)")]
    OtherHosts { path: PathBuf, hosts: String },
    /// The offline store could not be read.
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: String },
}

impl Evidence {
    /// What the reader must know about how the evidence source was set up, if anything.
    pub fn warning(&self) -> Option<&str> {
        match self {
            Evidence::Online(client) => client.warning(),
            Evidence::Offline(_) => None,
        }
    }

    /// The registry's `/-/npm/v1/keys` document; `None` when the registry has none (404).
    pub async fn keys(&self, registry: &Url) -> Result<Option<Vec<u8>>, EvidenceError> {
        match self {
            Evidence::Online(client) => Ok(client.get(&keys_url(registry), ACCEPT_FULL).await?),
            Evidence::Offline(store) => store.read(&store.keys_path(registry)).map(Some),
        }
    }

    /// A packument, revalidating a cached copy with its validators (online only; the store
    /// always answers with its copy).
    pub async fn packument_conditional(
        &self,
        registry: &Url,
        name: &str,
        full: bool,
        validators: &Validators,
    ) -> Result<Conditional, EvidenceError> {
        match self {
            Evidence::Online(client) => {
                let url = packument_url(registry, name);
                let accept = if full { ACCEPT_FULL } else { ACCEPT_CORGI };
                Ok(client.get_conditional(&url, accept, validators).await?)
            }
            Evidence::Offline(store) => {
                let bytes = store.read(&store.packument_path(registry, name))?;
                let validators = Validators::default();
                Ok(Conditional::Body {
                    bytes,
                    validators,
                    held: Default::default(),
                })
            }
        }
    }
}

impl Evidence {
    /// The attestations document of one version. Online it is fetched from the registry's host
    /// at the advertised path (as npm does, so a packument cannot point elsewhere).
    pub async fn attestations(
        &self,
        registry: &Url,
        name: &str,
        version: &str,
        advertised: &str,
    ) -> Result<Option<Vec<u8>>, EvidenceError> {
        match self {
            Evidence::Online(client) => {
                let path = Url::parse(advertised)
                    .map(|u| u.path().to_string())
                    .unwrap_or_else(|_| advertised.to_string());
                let url = registry.join(&path).unwrap_or_else(|_| registry.clone());
                Ok(client.get(&url, ACCEPT_FULL).await?)
            }
            Evidence::Offline(store) => {
                let path = store.attestations_path(registry, name, version);
                store.read(&path).map(Some)
            }
        }
    }

    /// A package tarball by URL (from the store when `fetch` recorded it).
    pub async fn tarball(&self, url: &Url) -> Result<Option<Vec<u8>>, EvidenceError> {
        match self {
            Evidence::Online(client) => Ok(client.get(url, "application/octet-stream").await?),
            Evidence::Offline(store) => store.read(&store.tarball_path(url)).map(Some),
        }
    }
}

/// `<registry>/-/npm/v1/keys`.
pub fn keys_url(registry: &Url) -> Url {
    registry.join("-/npm/v1/keys").expect("relative path joins")
}

/// `<registry>/<escaped name>`, with the scope's slash escaped as npm does (`@scope%2fname`).
pub fn packument_url(registry: &Url, name: &str) -> Url {
    let escaped = name.replacen('/', "%2f", 1);
    registry
        .join(&escaped)
        .expect("package names join as relative paths")
}

/// An offline evidence store rooted at a folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// When reading: the registry hosts the store holds (its top folders).
    hosts: Option<Vec<String>>,
}

impl Store {
    /// A store at `root` to write (it need not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store {
            root: root.into(),
            hosts: None,
        }
    }

    /// A store at `root` to read. A store that holds one registry host answers for the
    /// configured registry even when that has another name (a store fetched through another
    /// URL of the same registry); with several hosts, a miss names them.
    pub fn open(root: impl Into<PathBuf>) -> Store {
        let root = root.into();
        let mut hosts: Vec<String> = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        hosts.sort();
        Store {
            root,
            hosts: Some(hosts),
        }
    }

    /// `host[:port]` of a registry URL, as the store names its folders.
    fn host_folder(registry: &Url) -> String {
        let host = registry.host_str().unwrap_or("unknown-host");
        match registry.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// The folder of one registry: `<root>/<host[:port]>/<registry path>` (for a store opened
    /// to read that holds a single host, that host's folder).
    pub fn registry_dir(&self, registry: &Url) -> PathBuf {
        let mut host = Self::host_folder(registry);
        if let Some([only]) = self.hosts.as_deref() {
            if !self.root.join(&host).is_dir() {
                host = only.clone();
            }
        }
        let mut dir = self.root.join(host);
        for segment in registry.path().split('/').filter(|s| !s.is_empty()) {
            dir.push(segment);
        }
        dir
    }

    /// Where the registry's keys document lives.
    pub fn keys_path(&self, registry: &Url) -> PathBuf {
        self.registry_dir(registry).join("-/npm/v1/keys")
    }

    /// Where a packument lives (`@scope/name` is a folder and a file).
    pub fn packument_path(&self, registry: &Url, name: &str) -> PathBuf {
        self.registry_dir(registry).join(name)
    }

    /// Where the attestations of one version live.
    pub fn attestations_path(&self, registry: &Url, name: &str, version: &str) -> PathBuf {
        let file = format!("{name}@{version}");
        self.registry_dir(registry)
            .join("-/npm/v1/attestations")
            .join(file)
    }

    /// Where a tarball lives: below its host's folder, at its URL's path.
    pub fn tarball_path(&self, url: &Url) -> PathBuf {
        let mut host = url.clone();
        host.set_path("/");
        let mut path = self.registry_dir(&host).join("-/tarballs");
        for segment in url
            .path()
            .split('/')
            .filter(|s| !s.is_empty() && *s != "..")
        {
            path.push(segment);
        }
        path
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, EvidenceError> {
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => match self.hosts.as_deref() {
                Some(hosts) if !hosts.iter().any(|h| path.starts_with(self.root.join(h))) => {
                    EvidenceError::OtherHosts {
                        path: path.to_path_buf(),
                        hosts: hosts.join(", "),
                    }
                }
                _ => EvidenceError::NotInStore(path.to_path_buf()),
            },
            _ => EvidenceError::Io {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        })
    }

    /// Writes a document atomically (temp file + rename), creating folders.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().expect("store paths have a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_store_paths_mirror_the_registry() {
        let reg = Url::parse("http://127.0.0.1:4873/").unwrap();
        assert_eq!(
            packument_url(&reg, "@acme/x").as_str(),
            "http://127.0.0.1:4873/@acme%2fx"
        );
        assert_eq!(
            keys_url(&reg).as_str(),
            "http://127.0.0.1:4873/-/npm/v1/keys"
        );
        let store = Store::new("/s");
        assert_eq!(
            store.packument_path(&reg, "@acme/x"),
            PathBuf::from("/s/127.0.0.1:4873/@acme/x")
        );
        let sub = Url::parse("https://r.test/npm/").unwrap();
        assert_eq!(
            store.keys_path(&sub),
            PathBuf::from("/s/r.test/npm/-/npm/v1/keys")
        );
        assert_eq!(
            store.attestations_path(&sub, "a", "1.0.0"),
            PathBuf::from("/s/r.test/npm/-/npm/v1/attestations/a@1.0.0")
        );
        let tgz = Url::parse("http://127.0.0.1:4873/@acme/x/-/x-1.0.0.tgz").unwrap();
        assert_eq!(
            store.tarball_path(&tgz),
            PathBuf::from("/s/127.0.0.1:4873/-/tarballs/@acme/x/-/x-1.0.0.tgz")
        );
    }
}
