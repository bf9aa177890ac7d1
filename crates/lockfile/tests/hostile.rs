//! Hostile lockfiles of every format: mutated bytes, deep nesting and large inputs only ever
//! give an error (or a tree), never a panic or a hang.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::fixture_text;
use sigverify_lockfile::parse_lockfile;

const FIXTURES: [(&str, &str); 5] = [
    ("pnpm-lock.yaml", "pnpm/pnpm10/pnpm-lock.yaml"),
    ("pnpm-lock.yaml", "pnpm/pnpm8/pnpm-lock.yaml"),
    ("yarn.lock", "yarn/classic/yarn.lock"),
    ("yarn.lock", "berry/pnp/yarn.lock"),
    ("bun.lock", "bun/hoisted/bun.lock"),
];

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `text` with a few bytes replaced, inserted or deleted (kept UTF-8 by using ASCII).
fn mutate(text: &str, rng: &mut Rng) -> String {
    const BYTES: &[u8] = b"{}[]():,\"'#-@/ \n\t\\|>&*!%x0";
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len().max(1));
        let b = BYTES[rng.below(BYTES.len())];
        match rng.below(3) {
            0 if at < bytes.len() => bytes[at] = b,
            1 => bytes.insert(at.min(bytes.len()), b),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_lockfiles_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, fixture) in FIXTURES {
        let base = fixture_text(fixture);
        let path = Path::new("/p").join(name);
        let mut failures = 0;
        for _ in 0..400 {
            if parse_lockfile(&path, &mutate(&base, &mut rng)).is_err() {
                failures += 1;
            }
        }
        assert!(failures > 0, "{fixture}: mutations are never all harmless");
    }
}

#[test]
fn deep_nesting_is_an_error() {
    let cases = [
        (
            "pnpm-lock.yaml",
            format!("lockfileVersion: '9.0'\nimporters: {}", "[".repeat(200_000)),
        ),
        (
            "pnpm-lock.yaml",
            format!(
                "lockfileVersion: '9.0'\nimporters:\n{}",
                "- ".repeat(200_000)
            ),
        ),
        (
            "yarn.lock",
            (0..2_000)
                .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "bun.lock",
            format!(
                "{{\"lockfileVersion\": 1, \"packages\": {}",
                "[".repeat(200_000)
            ),
        ),
        (
            "yarn.lock",
            format!(
                "__metadata:\n  version: 8\n\"a@npm:1\": {}",
                "{a: ".repeat(100_000)
            ),
        ),
    ];
    for (name, text) in cases {
        let err = parse_lockfile(&Path::new("/p").join(name), &text).unwrap_err();
        assert_eq!(err.code(), "ELOCKFILEPARSE", "{name}: {err}");
    }
}

#[test]
fn large_lockfiles_parse_in_linear_time() {
    let entries = 20_000;
    let mut yarn = String::from("# yarn lockfile v1\n\n");
    let mut pnpm = String::from("lockfileVersion: '9.0'\nimporters:\n  .: {}\npackages:\n");
    let mut snapshots = String::from("snapshots:\n");
    for i in 0..entries {
        yarn.push_str(&format!("pkg-{i}@^1.0.0:\n  version \"1.0.{i}\"\n  resolved \"https://registry.yarnpkg.com/pkg-{i}/-/pkg-{i}-1.0.{i}.tgz#0000000000000000000000000000000000000000\"\n  dependencies:\n    pkg-{} \"^1.0.0\"\n\n", (i + 1) % entries));
        pnpm.push_str(&format!(
            "  pkg-{i}@1.0.{i}:\n    resolution: {{integrity: sha512-AA==}}\n"
        ));
        snapshots.push_str(&format!("  pkg-{i}@1.0.{i}: {{}}\n"));
    }
    pnpm.push_str(&snapshots);
    for (name, text) in [("yarn.lock", yarn), ("pnpm-lock.yaml", pnpm)] {
        let start = Instant::now();
        let tree = parse_lockfile(&Path::new("/p").join(name), &text).unwrap();
        assert_eq!(tree.packages.len(), entries, "{name}");
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{name}: {:?}",
            start.elapsed()
        );
    }
}
