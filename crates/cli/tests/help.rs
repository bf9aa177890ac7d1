//! Every `--help` shows examples, and the commands with exit codes state them.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_npm-sigverify");

fn help(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

const COMMANDS: &[&[&str]] = &[
    &[],
    &["verify"],
    &["verify-package"],
    &["fetch"],
    &["risk"],
    &["explain"],
    &["cache"],
    &["trust"],
    &["trust", "update"],
    &["init"],
    &["install"],
    &["pin"],
    &["approve-scripts"],
    &["serve"],
    &["verify-vsa"],
    &["verify-blob"],
    &["verify-bundle"],
    &["sign"],
    &["generate-key-pair"],
    &["import-key-pair"],
    &["keys"],
    &["keys", "list"],
    &["keys", "add"],
    &["keys", "rotate"],
    &["keys", "revoke"],
    &["ca"],
    &["ca", "init"],
    &["ca", "issue"],
    &["ca", "renew"],
    &["ca", "revoke"],
    &["ca", "crl"],
    &["ca", "list"],
];

#[test]
fn every_help_has_examples_that_name_their_command() {
    for command in COMMANDS {
        let text = help(command);
        let examples = text
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("no examples in {command:?} --help:\n{text}"));
        let mut expected = String::from("npm-sigverify");
        // The top level's examples name any command; a subcommand's name it.
        if let Some(first) = command.first() {
            expected = format!("npm-sigverify {first}");
        }
        assert!(
            examples.contains(&expected),
            "{command:?} examples do not run `{expected}`:\n{examples}"
        );
    }
}

#[test]
fn exit_codes_are_stated() {
    for command in [
        &["verify"][..],
        &["explain"],
        &["verify-package"],
        &["install"],
        &["pin"],
        &["approve-scripts"],
        &["fetch"],
        &["risk"],
        &["cache"],
        &["trust", "update"],
        &["verify-blob"],
        &["sign"],
        &["ca"],
        &["ca", "init"],
        &["ca", "issue"],
        &["ca", "renew"],
        &["ca", "revoke"],
        &["ca", "crl"],
        &["ca", "list"],
        &["generate-key-pair"],
        &["keys", "rotate"],
        &["serve"],
        &["verify-vsa"],
    ] {
        let text = help(command);
        assert!(text.contains("Exit codes: 0"), "{command:?}:\n{text}");
    }
    for command in [&["verify"][..], &["explain"], &["verify-package"]] {
        let text = help(command);
        for code in [" 1 ", " 2 ", " 3 "] {
            assert!(
                text.contains(code),
                "{command:?} lacks exit code{code}:\n{text}"
            );
        }
    }
}

#[test]
fn risk_and_fetch_refuse_a_deadline_they_would_not_apply() {
    for args in [&["risk"][..], &["fetch", "--out", "/nonexistent"]] {
        let command = args[0];
        let out = Command::new(BIN)
            .args(args)
            .args(["--deadline", "1000"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("takes no --deadline"), "{command}: {err}");
        assert!(!help(&[command]).contains("--deadline <MS>"), "{command}");
    }
}
