//! `assess_risk` on a lockfile project and an offline evidence store built on disk: each signal
//! from one change to a quiet package, the downgrade rule, missing metadata, and the ranking.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sigverify_core::npmrc::ConfigOverrides;
use sigverify_core::risk::{assess_risk, RiskEntry, RiskOptions, RiskReport};
use sigverify_core::{Omit, VerifyOptions};

const REGISTRY: &str = "http://127.0.0.1:9/";
const STORE_HOST: &str = "127.0.0.1:9";
const LONG_AGO: &str = "2020-01-01T00:00:00.000Z";
const PROVENANCE: &str = "https://slsa.dev/provenance/v1";

/// One published version, quiet by default: old, with provenance, without install scripts.
#[derive(Clone)]
struct Published {
    version: &'static str,
    time: &'static str,
    provenance: bool,
    scripts: Option<Value>,
}

fn published(version: &'static str) -> Published {
    Published {
        version,
        time: LONG_AGO,
        provenance: true,
        scripts: None,
    }
}

/// A full packument with two maintainers unless told otherwise.
fn packument(name: &str, versions: &[Published], maintainers: Option<usize>) -> Value {
    let mut docs = Map::new();
    let mut time = Map::new();
    for v in versions {
        docs.insert(v.version.into(), version_doc(name, v));
        time.insert(v.version.into(), json!(v.time));
    }
    let mut doc = json!({ "name": name, "versions": docs, "time": time });
    if let Some(count) = maintainers {
        let people: Vec<Value> = (0..count)
            .map(|i| json!({ "name": format!("m{i}"), "email": format!("m{i}@example.com") }))
            .collect();
        doc["maintainers"] = json!(people);
    }
    doc
}

fn version_doc(name: &str, v: &Published) -> Value {
    let mut dist = json!({
        "integrity": integrity(),
        "tarball": format!("{REGISTRY}{name}/-/{name}-{}.tgz", v.version),
    });
    if v.provenance {
        dist["attestations"] = json!({
            "url": format!("{REGISTRY}-/npm/v1/attestations/{name}@{}", v.version),
            "provenance": { "predicateType": PROVENANCE },
        });
    }
    let mut doc = json!({ "name": name, "version": v.version, "dist": dist });
    if let Some(scripts) = &v.scripts {
        doc["scripts"] = scripts.clone();
    }
    doc
}

fn integrity() -> String {
    format!("sha512-{}==", "A".repeat(86))
}

/// One lockfile entry.
struct Locked {
    location: String,
    name: &'static str,
    version: &'static str,
    install_script: bool,
    dev: bool,
}

fn locked(name: &'static str, version: &'static str) -> Locked {
    Locked {
        location: format!("node_modules/{name}"),
        name,
        version,
        install_script: false,
        dev: false,
    }
}

/// A lockfile project and an offline store in one temporary folder.
struct Fixture {
    _dir: tempfile::TempDir,
    project: PathBuf,
    store: PathBuf,
}

impl Fixture {
    fn new(locked: &[Locked]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let store = dir.path().join("store");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::create_dir_all(store.join(STORE_HOST)).unwrap();
        std::fs::write(project.join(".npmrc"), format!("registry={REGISTRY}\n")).unwrap();
        let lock = lockfile(locked);
        let text = serde_json::to_string_pretty(&lock).unwrap();
        std::fs::write(project.join("package-lock.json"), text).unwrap();
        Fixture {
            _dir: dir,
            project,
            store,
        }
    }

    /// Writes a packument where the offline store keeps it (scoped names: folder + file).
    fn publish(&self, name: &str, doc: &Value) {
        self.publish_raw(name, doc.to_string().as_bytes());
    }

    fn publish_raw(&self, name: &str, bytes: &[u8]) {
        let path = self.store.join(STORE_HOST).join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn options(&self) -> VerifyOptions {
        VerifyOptions {
            dir: self.project.clone(),
            offline: Some(self.store.clone()),
            lockfile_only: true,
            // Same as the .npmrc, so that an npm_config_registry in the environment cannot
            // move the store folder.
            overrides: ConfigOverrides {
                registry: Some(REGISTRY.into()),
            },
            ..VerifyOptions::default()
        }
    }

    async fn assess(&self) -> RiskReport {
        self.assess_with(&self.options(), &risk_options()).await
    }

    async fn assess_with(&self, options: &VerifyOptions, risk: &RiskOptions) -> RiskReport {
        assess_risk(options, risk).await.unwrap()
    }
}

fn lockfile(locked: &[Locked]) -> Value {
    let mut packages = Map::new();
    packages.insert(
        String::new(),
        json!({ "name": "project", "version": "1.0.0" }),
    );
    for l in locked {
        // Registry tarball paths name the unscoped part: `@acme/tool/-/tool-1.0.0.tgz`.
        let base = l.name.rsplit('/').next().unwrap_or(l.name);
        let mut entry = json!({
            "version": l.version,
            "resolved": format!("{REGISTRY}{}/-/{base}-{}.tgz", l.name, l.version),
            "integrity": integrity(),
        });
        if l.install_script {
            entry["hasInstallScript"] = json!(true);
        }
        if l.dev {
            entry["dev"] = json!(true);
        }
        packages.insert(l.location.clone(), entry);
    }
    json!({ "name": "project", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": packages })
}

fn now() -> DateTime<Utc> {
    "2024-06-01T00:00:00Z".parse().unwrap()
}

fn risk_options() -> RiskOptions {
    RiskOptions {
        recent_days: 7,
        now: now(),
    }
}

fn entry<'a>(report: &'a RiskReport, name: &str) -> &'a RiskEntry {
    report
        .packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} is not in {report:#?}"))
}

fn kinds(entry: &RiskEntry) -> Vec<&'static str> {
    entry.signals.iter().map(|s| s.kind.as_str()).collect()
}

/// A one-package project whose packument is `doc`; returns that package's entry.
async fn single(name: &'static str, version: &'static str, doc: Value) -> RiskEntry {
    let fixture = Fixture::new(&[locked(name, version)]);
    fixture.publish(name, &doc);
    let report = fixture.assess().await;
    assert_eq!(report.packages.len(), 1, "{report:#?}");
    report.packages[0].clone()
}

#[tokio::test]
async fn a_quiet_package_has_no_signal() {
    let entry = single(
        "quiet",
        "1.0.0",
        packument("quiet", &[published("1.0.0")], Some(2)),
    )
    .await;
    assert_eq!(entry.score, 0, "{entry:#?}");
    assert!(entry.signals.is_empty());
    assert_eq!(entry.location, "node_modules/quiet");
}

#[tokio::test]
async fn install_scripts_in_the_published_manifest_are_a_signal() {
    let v = Published {
        scripts: Some(json!({ "test": "jest", "postinstall": "node setup.js" })),
        ..published("1.0.0")
    };
    let entry = single("scripted", "1.0.0", packument("scripted", &[v], Some(2))).await;
    assert_eq!(kinds(&entry), ["install-scripts"]);
    assert_eq!(entry.score, 30);
    let detail = &entry.signals[0].detail;
    assert!(detail.contains("scripted@1.0.0") && detail.contains("postinstall"));
    assert!(!detail.contains("test"), "{detail}");
}

#[tokio::test]
async fn the_lockfiles_has_install_script_is_a_signal() {
    let fixture = Fixture::new(&[Locked {
        install_script: true,
        ..locked("gyp", "1.0.0")
    }]);
    fixture.publish("gyp", &packument("gyp", &[published("1.0.0")], Some(2)));
    let report = fixture.assess().await;
    let entry = entry(&report, "gyp");
    assert_eq!(kinds(entry), ["install-scripts"]);
    assert!(entry.signals[0].detail.contains("hasInstallScript"));
}

#[tokio::test]
async fn a_version_without_provenance_is_a_signal() {
    let v = Published {
        provenance: false,
        ..published("1.0.0")
    };
    let entry = single("plain", "1.0.0", packument("plain", &[v], Some(2))).await;
    assert_eq!(kinds(&entry), ["no-provenance"]);
    assert_eq!(entry.score, 10);
    assert!(entry.signals[0].detail.contains("plain@1.0.0"));
}

#[tokio::test]
async fn a_recent_publish_is_a_signal_that_says_how_long_ago() {
    let v = Published {
        time: "2024-05-30T00:00:00.000Z",
        ..published("1.0.0")
    };
    let entry = single("fresh", "1.0.0", packument("fresh", &[v], Some(2))).await;
    assert_eq!(kinds(&entry), ["recent-publish"]);
    assert_eq!(entry.score, 20);
    let detail = &entry.signals[0].detail;
    assert!(
        detail.contains("fresh@1.0.0") && detail.contains("2 days ago"),
        "{detail}"
    );

    let v = Published {
        time: "2024-05-31T21:00:00.000Z",
        ..published("1.0.0")
    };
    let entry = single("fresh", "1.0.0", packument("fresh", &[v], Some(2))).await;
    assert!(
        entry.signals[0].detail.contains("3 hours ago"),
        "{entry:#?}"
    );
}

#[tokio::test]
async fn recent_days_sets_the_window() {
    let fixture = Fixture::new(&[locked("week", "1.0.0")]);
    let v = Published {
        time: "2024-05-20T00:00:00.000Z",
        ..published("1.0.0")
    };
    fixture.publish("week", &packument("week", &[v], Some(2)));
    let report = fixture.assess().await;
    assert!(
        entry(&report, "week").signals.is_empty(),
        "12 days is not within 7"
    );
    let wider = RiskOptions {
        recent_days: 14,
        now: now(),
    };
    let report = fixture.assess_with(&fixture.options(), &wider).await;
    assert_eq!(kinds(entry(&report, "week")), ["recent-publish"]);
}

#[tokio::test]
async fn a_single_maintainer_is_a_signal() {
    let entry = single(
        "solo",
        "1.0.0",
        packument("solo", &[published("1.0.0")], Some(1)),
    )
    .await;
    assert_eq!(kinds(&entry), ["few-maintainers"]);
    assert_eq!(entry.score, 10);
    assert!(entry.signals[0].detail.contains("solo"));
}

#[tokio::test]
async fn no_listed_maintainer_is_a_signal_but_an_absent_list_is_unknown() {
    let doc = packument("nobody", &[published("1.0.0")], Some(0));
    let entry = single("nobody", "1.0.0", doc).await;
    assert_eq!(kinds(&entry), ["few-maintainers"]);
    assert!(entry.signals[0]
        .detail
        .contains("no maintainers for nobody"));
    // Abbreviated packuments have no `maintainers` field: that says nothing about them.
    let doc = packument("unknown", &[published("1.0.0")], None);
    let entry = single("unknown", "1.0.0", doc).await;
    assert!(kinds(&entry).is_empty(), "{:?}", kinds(&entry));
}

#[tokio::test]
async fn losing_provenance_within_a_major_is_a_downgrade() {
    let versions = [
        Published {
            time: "2024-01-01T00:00:00.000Z",
            ..published("1.0.0")
        },
        Published {
            time: "2024-02-01T00:00:00.000Z",
            provenance: false,
            ..published("1.1.0")
        },
    ];
    let entry = single("lost", "1.1.0", packument("lost", &versions, Some(2))).await;
    assert_eq!(kinds(&entry), ["provenance-downgrade", "no-provenance"]);
    assert_eq!(entry.score, 40);
    let detail = &entry.signals[0].detail;
    assert!(
        detail.contains("lost@1.1.0") && detail.contains("lost@1.0.0"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_new_major_without_provenance_is_not_a_downgrade() {
    let versions = [
        Published {
            time: "2024-01-01T00:00:00.000Z",
            ..published("1.0.0")
        },
        Published {
            time: "2024-02-01T00:00:00.000Z",
            provenance: false,
            ..published("2.0.0")
        },
    ];
    let entry = single("major", "2.0.0", packument("major", &versions, Some(2))).await;
    assert_eq!(kinds(&entry), ["no-provenance"]);
}

#[tokio::test]
async fn an_earlier_version_without_provenance_is_not_a_downgrade() {
    // Earlier by publish time: 1.0.0 came out before the first version with provenance.
    let versions = [
        Published {
            time: "2024-01-01T00:00:00.000Z",
            provenance: false,
            ..published("1.0.0")
        },
        Published {
            time: "2024-02-01T00:00:00.000Z",
            ..published("1.1.0")
        },
    ];
    let entry = single("before", "1.0.0", packument("before", &versions, Some(2))).await;
    assert_eq!(kinds(&entry), ["no-provenance"]);
}

#[tokio::test]
async fn missing_metadata_is_unknown_and_does_not_stop_the_others() {
    let fixture = Fixture::new(&[
        locked("absent", "1.0.0"),
        locked("broken", "1.0.0"),
        locked("unlisted", "1.0.0"),
        locked("quiet", "1.0.0"),
    ]);
    fixture.publish_raw(
        "broken",
        br#"{"versions":{"1.0.0":{"dist":{"attestations":"#,
    );
    fixture.publish(
        "unlisted",
        &packument("unlisted", &[published("2.0.0")], Some(2)),
    );
    fixture.publish("quiet", &packument("quiet", &[published("1.0.0")], Some(2)));
    let report = fixture.assess().await;
    for name in ["absent", "broken", "unlisted"] {
        let entry = entry(&report, name);
        assert_eq!(kinds(entry), ["unknown"], "{entry:#?}");
        assert_eq!(entry.score, 20);
        let detail = &entry.signals[0].detail;
        assert!(
            detail.starts_with("no registry metadata: ") && detail.contains(name),
            "{detail}"
        );
    }
    assert!(entry(&report, "absent").signals[0]
        .detail
        .contains("offline store"));
    assert_eq!(entry(&report, "quiet").score, 0);
}

#[tokio::test]
async fn missing_metadata_keeps_the_lockfiles_install_script_signal() {
    let fixture = Fixture::new(&[Locked {
        install_script: true,
        ..locked("absent", "1.0.0")
    }]);
    let report = fixture.assess().await;
    assert_eq!(
        kinds(entry(&report, "absent")),
        ["install-scripts", "unknown"]
    );
    assert_eq!(entry(&report, "absent").score, 50);
}

#[tokio::test]
async fn packages_are_ranked_by_score_then_name_and_version() {
    let fixture = Fixture::new(&[
        locked("b-quiet", "1.0.0"),
        locked("a-quiet", "1.0.0"),
        locked("solo", "1.0.0"),
        Locked {
            install_script: true,
            ..locked("scripted", "1.0.0")
        },
        Locked {
            location: "node_modules/solo-user/node_modules/solo".into(),
            ..locked("solo", "0.9.0")
        },
        locked("solo-user", "1.0.0"),
    ]);
    let quiet = |name| packument(name, &[published("1.0.0")], Some(2));
    fixture.publish("a-quiet", &quiet("a-quiet"));
    fixture.publish("b-quiet", &quiet("b-quiet"));
    fixture.publish("solo-user", &quiet("solo-user"));
    fixture.publish("scripted", &quiet("scripted"));
    let solo = [published("0.9.0"), published("1.0.0")];
    fixture.publish("solo", &packument("solo", &solo, Some(1)));
    let report = fixture.assess().await;
    let ranked: Vec<(String, u32)> = report
        .packages
        .iter()
        .map(|p| (format!("{}@{}", p.name, p.version), p.score))
        .collect();
    let expected = [
        ("scripted@1.0.0", 30),
        ("solo@0.9.0", 10),
        ("solo@1.0.0", 10),
        ("a-quiet@1.0.0", 0),
        ("b-quiet@1.0.0", 0),
        ("solo-user@1.0.0", 0),
    ];
    let expected: Vec<(String, u32)> = expected.iter().map(|(p, s)| (p.to_string(), *s)).collect();
    assert_eq!(ranked, expected);
}

#[tokio::test]
async fn one_version_at_several_locations_is_one_entry() {
    let fixture = Fixture::new(&[
        locked("dup", "1.0.0"),
        locked("user", "1.0.0"),
        Locked {
            location: "node_modules/user/node_modules/dup".into(),
            ..locked("dup", "1.0.0")
        },
    ]);
    fixture.publish("dup", &packument("dup", &[published("1.0.0")], Some(2)));
    fixture.publish("user", &packument("user", &[published("1.0.0")], Some(2)));
    let report = fixture.assess().await;
    assert_eq!(report.packages.len(), 2, "{report:#?}");
    let dup = entry(&report, "dup");
    assert_eq!(dup.location, "node_modules/dup");
    assert_eq!(
        dup.locations,
        ["node_modules/dup", "node_modules/user/node_modules/dup"]
    );
}

#[tokio::test]
async fn omitted_dependency_types_are_not_ranked() {
    let fixture = Fixture::new(&[
        locked("runtime", "1.0.0"),
        Locked {
            dev: true,
            ..locked("devtool", "1.0.0")
        },
    ]);
    fixture.publish(
        "runtime",
        &packument("runtime", &[published("1.0.0")], Some(2)),
    );
    let mut options = fixture.options();
    options.omit = Omit {
        dev: true,
        ..Omit::default()
    };
    let report = fixture.assess_with(&options, &risk_options()).await;
    let names: Vec<&str> = report.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["runtime"]);
}

#[tokio::test]
async fn scoped_packuments_are_read_from_a_folder_and_a_file() {
    let fixture = Fixture::new(&[Locked {
        location: "node_modules/@acme/tool".into(),
        ..locked("@acme/tool", "1.0.0")
    }]);
    let doc = packument("@acme/tool", &[published("1.0.0")], Some(1));
    fixture.publish("@acme/tool", &doc);
    let report = fixture.assess().await;
    assert_eq!(kinds(entry(&report, "@acme/tool")), ["few-maintainers"]);
}

#[tokio::test]
async fn the_report_serializes_in_camel_case_with_kebab_case_kinds() {
    let v = Published {
        provenance: false,
        ..published("1.0.0")
    };
    let fixture = Fixture::new(&[locked("plain", "1.0.0")]);
    fixture.publish("plain", &packument("plain", &[v], Some(2)));
    let report = fixture.assess().await;
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["packages"][0]["signals"][0]["kind"], "no-provenance");
    assert_eq!(json["packages"][0]["signals"][0]["weight"], 10);
    assert!(json["project"]
        .as_str()
        .is_some_and(|p| Path::new(p).ends_with("project")));
}
