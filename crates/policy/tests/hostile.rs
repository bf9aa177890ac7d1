//! Hostile policy texts found by fuzzing (`fuzz/`): each must end in a typed error, never in a
//! crash, a hang or unbounded memory.

use sigverify_policy::*;

/// `- - - - … x`: one sequence per two bytes. yaml-rust2's `Parser::load` recursed once per
/// level, so a few hundred KiB overflowed the stack (a crash, not an error).
#[test]
fn deeply_nested_yaml_is_an_error_not_a_stack_overflow() {
    let text = format!("{}x\n", "- ".repeat(200_000));
    for result in [
        load_str("deep.yaml", &text, Format::Yaml).map(|_| ()),
        document_json("deep.yaml", &text, Format::Yaml).map(|_| ()),
    ] {
        let e = result.expect_err("a 200,000-level document must be refused");
        assert_eq!(e.code(), "EPOLICYPARSE");
        assert!(e.to_string().contains("nested deeper than"), "{e}");
    }
}

/// Nesting that deep JSON reaches (serde_json's own limit) still loads.
#[test]
fn nesting_within_the_limit_still_parses() {
    let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    assert!(document_json("ok.json", &text, Format::Json).is_ok());
    let text = format!("{}x\n", "- ".repeat(100));
    assert!(document_json("ok.yaml", &text, Format::Yaml).is_ok());
}

/// node-semver 2.2 reaches `unreachable!()` on ranges its grammar accepts: a wildcard major
/// after `=` or `~` (`=*`, `~x`, `~> *`) or a wildcard minor before a patch (`~0.x.20`).
/// Loading such an exception panicked; it is now a bad range. (`=*` found by fuzz/policy.)
#[test]
fn ranges_that_panic_node_semver_are_errors() {
    for range in ["=*", "= v x", "~*", "~> X", "~0.x.20", "1.2.3 || =*"] {
        let text = format!(
            "exceptions:\n  - package: \"@types/node@{range}\"\n    reason: r\n    expires: 2026-01-01\n"
        );
        let e = load_str("x.yaml", &text, Format::Yaml).expect_err(range);
        assert_eq!(e.code(), "EPOLICYSCHEMA", "{range}: {e}");
        assert!(e.to_string().contains("bad version range"), "{range}: {e}");
    }
    let ok = "exceptions:\n  - package: \"a@>=*\"\n    reason: r\n    expires: 2026-01-01\n";
    assert!(load_str("x.yaml", ok, Format::Yaml).is_ok());
}
