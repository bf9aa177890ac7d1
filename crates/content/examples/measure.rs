//! Measures `compare_package_dir` over a real installed tree and over one big synthetic package.
//!
//! For every package folder under the given `node_modules` (default: the global npm's own,
//! `/usr/lib/node_modules/npm/node_modules`) it packs the folder into a `package/` tarball in
//! memory, reads it back with `read_tarball`, and times the comparison of the folder with it.
//! Prints files/s and MB/s; asserts only that every folder compares clean with its own tarball.
//!
//! Run: `cargo run --release --example measure [-- <node_modules dir>]`

use flate2::{write::GzEncoder, Compression};
use sigverify_content::{compare_package_dir, read_tarball, CompareOptions, TarManifest};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let root = std::env::args().nth(1).map(PathBuf::from);
    let root = root.unwrap_or_else(|| PathBuf::from("/usr/lib/node_modules/npm/node_modules"));
    let packages = package_dirs(&root);
    let prepared: Vec<(PathBuf, TarManifest, u64)> =
        packages.iter().map(|dir| prepare(dir)).collect();
    report(
        &format!("{} packages under {}", prepared.len(), root.display()),
        &prepared,
    );

    let tmp = tempfile::tempdir().expect("temp dir");
    let big = synthetic_package(tmp.path());
    let prepared = vec![prepare(&big)];
    report(
        "synthetic package: one 256 MiB file + 4000 small files",
        &prepared,
    );
}

/// Compares every package twice (first pass warms the page cache) and prints the second.
fn report(label: &str, prepared: &[(PathBuf, TarManifest, u64)]) {
    let files: usize = prepared.iter().map(|(_, m, _)| m.len()).sum();
    let bytes: u64 = prepared.iter().map(|(_, _, b)| b).sum();
    let mut elapsed = Duration::ZERO;
    for _pass in 0..2 {
        let start = Instant::now();
        for (dir, manifest, _) in prepared {
            let diff =
                compare_package_dir(dir, manifest, &CompareOptions::default()).expect("compare");
            assert!(diff.is_clean(), "{}: {diff:?}", dir.display());
        }
        elapsed = start.elapsed();
    }
    let secs = elapsed.as_secs_f64();
    println!("{label}");
    println!(
        "  {files} files, {:.1} MB in {:.3} s (page cache warm): {:.0} files/s, {:.0} MB/s",
        bytes as f64 / 1e6,
        secs,
        files as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

/// Packs `dir` (minus its `node_modules`) into a tarball and reads it back.
fn prepare(dir: &Path) -> (PathBuf, TarManifest, u64) {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let bytes = add_files(&mut builder, dir, "");
    let tgz = builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .expect("pack");
    let start = Instant::now();
    let manifest = read_tarball(&tgz).expect("read back");
    eprintln!("  read_tarball {} in {:?}", dir.display(), start.elapsed());
    (dir.to_path_buf(), manifest, bytes)
}

fn add_files(builder: &mut tar::Builder<GzEncoder<Vec<u8>>>, dir: &Path, rel: &str) -> u64 {
    let mut total = 0;
    for item in fs::read_dir(dir).expect("read_dir") {
        let item = item.expect("dir entry");
        let name = item.file_name().to_string_lossy().into_owned();
        let ft = item.file_type().expect("file type");
        if rel.is_empty() && name == "node_modules" {
            continue;
        }
        let child_rel = format!("{rel}{name}");
        if ft.is_dir() {
            total += add_files(builder, &item.path(), &format!("{child_rel}/"));
        } else if ft.is_file() {
            total += item.metadata().expect("metadata").len();
            let mut file = fs::File::open(item.path()).expect("open");
            builder
                .append_file(format!("package/{child_rel}"), &mut file)
                .expect("append");
        }
    }
    total
}

/// Package folders: `<root>/<name>` and `<root>/@scope/<name>`, skipping `.bin` and dot folders.
fn package_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for item in fs::read_dir(root).expect("node_modules dir").flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !item.path().is_dir() {
            continue;
        }
        if name.starts_with('@') {
            out.extend(
                fs::read_dir(item.path())
                    .expect("scope")
                    .flatten()
                    .map(|e| e.path()),
            );
        } else {
            out.push(item.path());
        }
    }
    out.sort();
    out
}

fn synthetic_package(tmp: &Path) -> PathBuf {
    let dir = tmp.join("big");
    fs::create_dir_all(dir.join("lib")).expect("mkdir");
    let chunk: Vec<u8> = (0..1 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let big: Vec<u8> = chunk.iter().copied().cycle().take(256 << 20).collect();
    fs::write(dir.join("big.bin"), big).expect("write big");
    for i in 0..4000 {
        fs::write(
            dir.join("lib").join(format!("f{i}.js")),
            format!("module.exports = {i};\n").repeat(50),
        )
        .expect("write small");
    }
    dir
}
