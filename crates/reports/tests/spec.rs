//! `--report FORMAT=FILE,...` parsing.

use std::path::PathBuf;

use sigverify_reports::{parse_report_spec, Format, SpecError};

#[test]
fn parses_every_format_in_order() {
    let specs = parse_report_spec(
        "json=r.json,sarif=out/r.sarif,junit=r.xml,html=r.html,markdown=summary.md",
    )
    .unwrap();
    let formats: Vec<Format> = specs.iter().map(|(f, _)| *f).collect();
    assert_eq!(formats, Format::ALL.to_vec());
    assert_eq!(specs[1].1, PathBuf::from("out/r.sarif"));
}

#[test]
fn parses_a_subset_and_keeps_equals_in_paths() {
    let specs = parse_report_spec("sarif=a=b.sarif").unwrap();
    assert_eq!(specs, vec![(Format::Sarif, PathBuf::from("a=b.sarif"))]);
}

#[test]
fn rejects_bad_specs_with_clear_messages() {
    let cases = [
        ("", SpecError::Empty),
        ("  ", SpecError::Empty),
        ("json", SpecError::NotAPair("json".into())),
        ("json=a,", SpecError::NotAPair("".into())),
        ("xml=a.xml", SpecError::UnknownFormat("xml".into())),
        ("JSON=a.json", SpecError::UnknownFormat("JSON".into())),
        (
            "json=a.json,json=b.json",
            SpecError::DuplicateFormat("json"),
        ),
        ("json=a,sarif=a", SpecError::DuplicatePath("a".into())),
        ("html=", SpecError::EmptyPath("html")),
    ];
    for (spec, expected) in cases {
        assert_eq!(parse_report_spec(spec), Err(expected), "{spec:?}");
    }
}

#[test]
fn messages_name_the_offender() {
    let err = parse_report_spec("json=a,pdf=b").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown report format \"pdf\": expected one of json, sarif, junit, html, markdown"
    );
    assert_eq!(err.code(), "EREPORTSPEC");
}
