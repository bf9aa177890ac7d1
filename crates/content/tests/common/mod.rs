//! Test helpers: tarballs built entry by entry (including entries `tar::Builder` refuses to
//! write, such as `..` paths), and a real `npm install` of them in a temporary project.
#![allow(dead_code)] // each test binary uses a different subset

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// A tarball written header by header, with raw (unvalidated) names.
pub struct Tgz {
    builder: tar::Builder<Vec<u8>>,
}

impl Default for Tgz {
    fn default() -> Self {
        Self::new()
    }
}

impl Tgz {
    pub fn new() -> Self {
        Self {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// A regular file, exactly at `path` (no prefix added).
    pub fn file(self, path: &str, data: &[u8]) -> Self {
        self.raw(path, b'0', data, "")
    }

    pub fn symlink(self, path: &str, target: &str) -> Self {
        self.raw(path, b'2', b"", target)
    }

    pub fn hardlink(self, path: &str, target: &str) -> Self {
        self.raw(path, b'1', b"", target)
    }

    pub fn dir(self, path: &str) -> Self {
        self.raw(path, b'5', b"", "")
    }

    /// Any entry: the name and link name go into the header bytes as given.
    pub fn raw(mut self, path: &str, kind: u8, data: &[u8], link: &str) -> Self {
        let mut header = tar::Header::new_ustar();
        assert!(
            path.len() <= 100 && link.len() <= 100,
            "test names must fit the header"
        );
        header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(if kind == b'5' { 0o755 } else { 0o644 });
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::new(kind));
        header.set_cksum();
        self.builder
            .append(&header, data)
            .expect("append to in-memory tar");
        self
    }

    pub fn tar_bytes(self) -> Vec<u8> {
        self.builder.into_inner().expect("finish tar")
    }

    pub fn gz(self) -> Vec<u8> {
        gzip(&self.tar_bytes())
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A standard npm package tarball (`package/` prefix) from (path, bytes) pairs.
pub fn package_tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tgz = Tgz::new();
    for (path, data) in files {
        tgz = tgz.file(&format!("package/{path}"), data);
    }
    tgz.gz()
}

/// Runs npm with an isolated cache and no network-bound extras; panics with its output on failure.
pub fn npm(cwd: &Path, cache: &Path, args: &[&str]) -> String {
    let out = Command::new("npm")
        .args(args)
        .arg("--cache")
        .arg(cache)
        .args([
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            "--offline",
            "--loglevel=error",
        ])
        .current_dir(cwd)
        .output()
        .expect("npm must be installed to run these tests (it is on this project's machines)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "npm {args:?} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A temporary project where a tarball was installed with a real `npm install ./pkg.tgz`.
pub struct Installed {
    pub tmp: TempDir,
    pub tgz: Vec<u8>,
    pub pkg_dir: PathBuf,
}

impl Installed {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.pkg_dir.join(rel)
    }
}

/// Installs `tgz` (whose package.json names it `name`) into a fresh temporary project.
pub fn npm_install(name: &str, tgz: Vec<u8>) -> Installed {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"project","version":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(tmp.path().join("pkg.tgz"), &tgz).unwrap();
    npm(
        &project,
        &tmp.path().join("cache"),
        &["install", "../pkg.tgz"],
    );
    let pkg_dir = project.join("node_modules").join(name);
    assert!(pkg_dir.is_dir(), "npm did not install {name}");
    Installed { tmp, tgz, pkg_dir }
}

/// The corpus copy inside the project (see the briefs): real recorded data.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../__test__/fixtures/corpus"
    ))
}
