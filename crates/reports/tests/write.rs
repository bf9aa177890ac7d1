//! Writing reports: everything rendered first, each file replaced atomically.

mod common;

use std::path::PathBuf;

use sigverify_reports::{parse_report_spec, write_reports, Format, Report, WriteError};

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writes_every_requested_format() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "json={0}/r.json,sarif={0}/r.sarif,junit={0}/r.xml,html={0}/r.html,markdown={0}/r.md",
        dir.path().display()
    );
    let specs = parse_report_spec(&spec).unwrap();
    write_reports(&common::hostile(), &specs, common::now()).unwrap();
    assert_eq!(
        entries(dir.path()),
        ["r.html", "r.json", "r.md", "r.sarif", "r.xml"]
    );
    let report = common::hostile();
    for (format, path) in &specs {
        let written = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            written,
            sigverify_reports::render(*format, &report, common::now()),
            "{format:?}"
        );
    }
}

#[test]
fn replaces_an_existing_file_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    std::fs::write(&path, "old").unwrap();
    write_reports(
        &common::demo(),
        &[(Format::Markdown, path.clone())],
        common::now(),
    )
    .unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("## npm-sigverify: passed"));
    assert_eq!(entries(dir.path()), ["summary.md"]);
}

/// Renders a stored `--json` document, as a `report` command would: read, then write.
fn write_document(doc: &serde_json::Value, specs: &[(Format, PathBuf)]) -> Result<(), WriteError> {
    let report = Report::from_value(doc)?;
    write_reports(&report, specs, common::now())
}

#[test]
fn a_stored_document_renders_like_the_report_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    write_document(&common::hostile_value(), &[(Format::Html, path.clone())]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        sigverify_reports::render_html(&common::hostile(), common::now())
    );
}

#[test]
fn a_bad_document_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, "old").unwrap();
    let mut doc = common::demo_value();
    doc["summary"]["total"] = serde_json::json!(99);
    let err = write_document(&doc, &[(Format::Json, path.clone())]).unwrap_err();
    assert!(matches!(err, WriteError::Input(_)));
    assert_eq!(err.code(), "EREPORTINPUT");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
}

#[test]
fn a_failed_write_keeps_the_old_file_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    // The destination is a non-empty directory: rename cannot replace it.
    let target = dir.path().join("r.sarif");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    let err = write_reports(
        &common::demo(),
        &[(Format::Sarif, target.clone())],
        common::now(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::Io {
                format: "sarif",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("cannot write sarif report to "),
        "{err}"
    );
    assert_eq!(entries(dir.path()), ["r.sarif"], "temporary file removed");
    assert!(target.join("keep").exists());
}

#[test]
fn a_missing_folder_is_an_error_naming_the_path() {
    let path = PathBuf::from("/nonexistent-sigverify-dir/r.html");
    let err = write_reports(&common::demo(), &[(Format::Html, path)], common::now()).unwrap_err();
    assert_eq!(err.code(), "EREPORTWRITE");
    assert!(
        err.to_string()
            .contains("/nonexistent-sigverify-dir/r.html"),
        "{err}"
    );
}

#[test]
fn concurrent_writers_never_expose_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let small = "{}".to_string();
    let big = "x".repeat(1 << 20);
    std::thread::scope(|s| {
        for i in 0..4 {
            let (path, text) = (&path, if i % 2 == 0 { &small } else { &big });
            s.spawn(move || {
                for _ in 0..20 {
                    sigverify_reports::write_atomic(path, text.as_bytes()).unwrap();
                }
            });
        }
        s.spawn(|| {
            for _ in 0..200 {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    assert!(
                        text == small || text == big,
                        "partial file of {} bytes",
                        text.len()
                    );
                }
            }
        });
    });
    assert_eq!(entries(dir.path()), ["r.json"]);
}
