//! JUnit XML: well-formed (roxmltree, and python/xmllint when present), one testcase per
//! package, hostile names round-trip exactly except for characters XML 1.0 cannot carry.

mod common;

use std::process::Command;

use sigverify_reports::render_junit;

fn hostile_xml() -> String {
    render_junit(&common::hostile(), common::now())
}

#[test]
fn suite_counts_match_the_report() {
    let xml = hostile_xml();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("20"));
    assert_eq!(suite.attribute("failures"), Some("3"));
    assert_eq!(suite.attribute("skipped"), Some("4"));
    assert_eq!(suite.attribute("timestamp"), Some("2026-11-25T12:00:00Z"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 20);
    assert!(cases
        .iter()
        .all(|c| c.attribute("classname") == Some("npm-sigverify")));
    let count = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    assert_eq!(
        (count("failure"), count("skipped"), count("system-out")),
        (3, 4, 1)
    );
}

#[test]
fn hostile_names_survive_escaping() {
    let xml = hostile_xml();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = (doc.descendants())
        .find(|n| n.has_tag_name("testcase") && n.attribute("name").unwrap().starts_with("@evil/"))
        .unwrap();
    // U+0001 cannot appear in XML 1.0 at all, so it is spelled out; the rest is exact.
    let expected_name = common::HOSTILE_NAME.replace('\u{1}', "\\u{1}");
    assert_eq!(
        case.attribute("name").unwrap(),
        format!("{expected_name}@1.0.0 (node_modules/{expected_name})")
    );
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("EINTEGRITYSIGNATURE"));
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("signature\r\nsecond line 100% a:b,c"));
    let body = failure.text().unwrap();
    assert!(
        body.contains("remediation: do not install <b>this</b> & pin a known-good version"),
        "{body}"
    );
    assert!(
        body.contains("check registry-signature failed EINTEGRITYSIGNATURE: signature <bad>"),
        "{body}"
    );
    assert!(
        body.starts_with("EINTEGRITYSIGNATURE (invalid registry signature): evil has"),
        "{body}"
    );
}

#[test]
fn a_policy_failure_of_a_verified_package_is_a_failure() {
    let xml = hostile_xml();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = (doc.descendants())
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name") == Some("trojan@2.0.0 (node_modules/trojan)")
        })
        .unwrap();
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("EPROVENANCEREQUIRED"));
    let body = failure.text().unwrap();
    assert!(
        body.contains("status: verified, decision: fail (rule trojan)"),
        "{body}"
    );
}

#[test]
fn skipped_packages_say_why() {
    let xml = render_junit(&common::demo(), common::now());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .collect();
    assert_eq!(skipped.len(), 3);
    assert!(skipped[0]
        .attribute("message")
        .unwrap()
        .starts_with("ENOTREGISTRY: left-pad-fork@1.3.0: git dependency"));
}

#[test]
fn every_control_character_stays_well_formed() {
    let mut core = common::hostile_core();
    let all_controls: String = (0u32..0x20)
        .chain([0x7f, 0xfffe, 0xffff])
        .filter_map(char::from_u32)
        .collect();
    let evil = (core.packages.iter_mut())
        .find(|p| p.name == common::HOSTILE_NAME)
        .unwrap();
    evil.message = Some(all_controls.clone());
    evil.name = format!("x{all_controls}]]>");
    let r = sigverify_reports::Report::from(&core);
    let xml = render_junit(&r, common::now());
    roxmltree::Document::parse(&xml).unwrap();
    std::fs::write(common::output("controls.xml"), &xml).unwrap();
    check_with_python(&common::output("controls.xml"));
}

#[test]
fn external_parsers_accept_it() {
    let path = common::output("junit.xml");
    std::fs::write(&path, hostile_xml()).unwrap();
    check_with_python(&path);
    match Command::new("xmllint").arg("--noout").arg(&path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("notice: xmllint not installed (Debian libxml2-utils): skipped"),
    }
}

/// python3's expat-based parser is stricter about a few things than roxmltree.
fn check_with_python(path: &std::path::Path) {
    let script = "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag == 'testsuites', r.tag";
    match Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("notice: python3 not installed: skipped"),
    }
}
