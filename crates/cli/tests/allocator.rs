//! The binary allocates with jemalloc under its own settings (`BINARY_SETTINGS` of
//! `sigverify_core::work::memory`, declared in `main.rs`; the addon declares `ADDON_SETTINGS`).

#![cfg(not(target_env = "msvc"))]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_npm-sigverify");

#[test]
fn the_binary_runs_on_jemalloc_with_the_binary_settings() {
    // `stats_print` makes jemalloc print its options at exit; the compiled-in settings are read
    // before the environment's, which only adds this one.
    let out = Command::new(BIN)
        .arg("--version")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("opt.narenas: 1"), "{stderr}");
    // The binary's 1 s, not the addon's 100 ms.
    assert!(stderr.contains("opt.dirty_decay_ms: 1000 "), "{stderr}");
}
