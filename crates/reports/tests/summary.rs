//! Markdown job summary and GitHub Actions annotations.

mod common;

use sigverify_reports::{github_annotations, render_markdown};

#[test]
fn markdown_summary_of_a_clean_run() {
    let md = render_markdown(&common::demo());
    assert!(md.starts_with("## npm-sigverify: passed\n"));
    assert!(md.contains("| 15 | 12 | 0 | 0 | 3 | 0 | 0 |"), "{md}");
    assert!(md.contains("No failing packages."));
}

#[test]
fn markdown_lists_failures_with_code_and_fix() {
    let md = render_markdown(&common::hostile());
    assert!(md.starts_with("## npm-sigverify: failed\n"));
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ❌") || l.starts_with("| ⚠️"))
        .collect();
    assert_eq!(rows.len(), 4, "{md}");
    assert!(
        rows[2].contains(
            "| unsigned-pkg@1.0.0 | node\\_modules/unsigned-pkg | missing | EMISSINGSIGNATURE |"
        ),
        "{}",
        rows[2]
    );
    assert!(rows[2]
        .ends_with("| do not install &lt;b&gt;this&lt;/b&gt; &amp; pin a known-good version |"));
    assert!(
        rows[1].starts_with("| ❌ | trojan@2.0.0 | node\\_modules/trojan | verified | EPROVENANCEREQUIRED | trojan@2.0.0 has no provenance and the rule requires it |"),
        "{}",
        rows[1]
    );
    assert!(md.contains("environment `ci`, policy enforce."), "{md}");
}

#[test]
fn markdown_cells_cannot_break_the_table() {
    let md = render_markdown(&common::hostile());
    let evil = md.lines().find(|l| l.contains("@evil/")).unwrap();
    // Seven cells: eight unescaped pipes, whatever the name and message contain.
    let unescaped = evil
        .match_indices('|')
        .filter(|(i, _)| !evil[..*i].ends_with('\\'))
        .count();
    assert_eq!(unescaped, 8, "{evil}");
    assert!(!evil.contains("<script"));
    assert!(
        evil.contains("signature second line 100% a:b,c"),
        "line breaks become spaces"
    );
}

#[test]
fn annotations_for_failures_and_warnings_only() {
    let out = github_annotations(&common::hostile());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("::error file=package-lock.json,line=123,title=EINTEGRITYSIGNATURE::")
    );
    assert!(lines[1].starts_with("::error file=package-lock.json,title=EPROVENANCEREQUIRED::trojan@2.0.0 has no provenance and the rule requires it (fix: "));
    assert!(lines[2].starts_with("::error file=package-lock.json,title=EMISSINGSIGNATURE::unsigned-pkg@1.0.0 has no registry signature (fix: "));
    assert!(
        lines[3].starts_with("::warning file=package-lock.json,line=82,title=EEXCEPTIONEXPIRED::exception '@isaacs/namespace-test@1' expired on 2026-01-01"),
        "{}",
        lines[3]
    );
    assert_eq!(github_annotations(&common::demo()), "");
}

#[test]
fn annotation_messages_are_escaped_as_github_requires() {
    let out = github_annotations(&common::hostile());
    let first = out.lines().next().unwrap();
    assert!(
        first.ends_with("::evil has an invalid registry signature%0D%0Asecond line 100%25 a:b,c http://evil.example/x (fix: do not install <b>this</b> & pin a known-good version)"),
        "{first}"
    );
}

#[test]
fn annotation_properties_escape_colon_and_comma() {
    let mut core = common::hostile_core();
    core.project = String::new();
    core.input_path = "C:dir,x/100%/package-lock.json".into();
    let r = sigverify_reports::Report::from(&core);
    let first = github_annotations(&r).lines().next().unwrap().to_string();
    assert!(
        first.starts_with("::error file=C%3Adir%2Cx/100%25/package-lock.json,line=123,"),
        "{first}"
    );
}
