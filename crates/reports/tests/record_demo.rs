//! Re-records `tests/fixtures/demo-report.json` through core, the way
//! `npm-sigverify verify examples/demo --offline examples/demo-store --json` makes it:
//!
//!     flock /tmp/cargo.lock cargo test -p sigverify-reports --test record_demo -- --ignored
//!
//! Ignored by default: the fixture is a recording, and the tests compare against it.

use std::path::Path;

use sigverify_core::config::{CacheSettings, PolicyChoice, VerifyOptions};
use sigverify_core::npmrc::ConfigOverrides;

#[test]
#[ignore = "re-records the demo fixture"]
fn record_demo_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap();
    std::env::set_current_dir(&root).unwrap();
    let options = VerifyOptions {
        dir: "examples/demo".into(),
        offline: Some("examples/demo-store".into()),
        overrides: ConfigOverrides {
            registry: Some("https://registry.npmjs.org/".into()),
        },
        contents: true,
        cache: CacheSettings {
            spec: Some("off".into()),
            max_age: None,
        },
        policy: PolicyChoice::Defaults,
        ..VerifyOptions::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let report = runtime
        .block_on(sigverify_core::verify_tree(&options))
        .unwrap();
    let mut text = serde_json::to_string_pretty(&report.to_document()).unwrap();
    text.push('\n');
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-report.json");
    std::fs::write(out, text).unwrap();
}
