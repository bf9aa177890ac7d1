//! Two writers on one key, as threads and as processes: every read sees a
//! whole entry from one of them, never a mix or a torn file.

use sigverify_cache::{Cache, Entry, Namespace};
use std::path::Path;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const KEY: &str = "https://registry.npmjs.org/react";
const CHILD_ENV: &str = "SIGVERIFY_CACHE_CHILD_DIR";
const ROUNDS: usize = 150;

/// A large body filled with one byte, so a torn mix of two writers shows.
fn body_of(writer: u8) -> Vec<u8> {
    vec![writer; 64 * 1024]
}

fn is_whole(entry: &Entry) -> bool {
    let first = entry.body[0];
    entry.body.len() == 64 * 1024 && entry.body.iter().all(|b| *b == first)
}

fn write_rounds(dir: &Path, writer: u8) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cache = Cache::open(Some(dir.to_str().unwrap())).await.unwrap();
        let entry = Entry::new(body_of(writer));
        for _ in 0..ROUNDS {
            cache
                .put(Namespace::Packument, KEY, &entry, HOUR)
                .await
                .unwrap();
            if let Some(seen) = cache.get(Namespace::Packument, KEY).await.unwrap() {
                assert!(is_whole(&seen), "torn entry seen by writer {writer}");
            }
        }
        // A non-atomic write would show up here as half-written files.
        let stats = cache.stats().await.unwrap();
        assert_eq!(
            stats.corrupt_removed, 0,
            "writer {writer} met partial files"
        );
    });
}

async fn assert_settled(dir: &Path) {
    let cache = Cache::open(Some(dir.to_str().unwrap())).await.unwrap();
    let last = cache
        .get(Namespace::Packument, KEY)
        .await
        .unwrap()
        .expect("an entry survives");
    assert!(is_whole(&last) && [b'A', b'B'].contains(&last.body[0]));
    let stats = cache.stats().await.unwrap();
    assert_eq!(
        (stats.entries, stats.temp_files, stats.corrupt_removed),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn two_threads_writing_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let threads: Vec<_> = [b'A', b'B']
        .into_iter()
        .map(|writer| {
            let dir = dir.path().to_owned();
            std::thread::spawn(move || write_rounds(&dir, writer))
        })
        .collect();
    for thread in threads {
        thread.join().expect("writer thread panicked");
    }
    assert_settled(dir.path()).await;
}

/// Not a test of its own: the writer process that
/// `two_processes_writing_one_key` spawns (hence ignored).
#[test]
#[ignore = "helper process of two_processes_writing_one_key"]
fn child_writer() {
    if let (Ok(dir), Ok(id)) = (
        std::env::var(CHILD_ENV),
        std::env::var("SIGVERIFY_CACHE_CHILD_ID"),
    ) {
        write_rounds(Path::new(&dir), id.as_bytes()[0]);
    }
}

#[tokio::test]
async fn two_processes_writing_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|id| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_writer", "--ignored", "--test-threads=1"])
                .env(CHILD_ENV, dir.path())
                .env("SIGVERIFY_CACHE_CHILD_ID", id)
                // Captured: the children's own "test result" lines would
                // otherwise read as extra test runs in CI logs.
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "writer process failed:\n{log}");
        assert!(log.contains("1 passed"), "writer did not run:\n{log}");
    }
    assert_settled(dir.path()).await;
}
