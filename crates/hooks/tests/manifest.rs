//! package.json hook edits: idempotency, chaining, exact removal, formatting kept byte for byte.

use sigverify_hooks::{add_hooks, remove_hooks, Hook, HookChange};

const PRE: &str = "npm-sigverify verify --lockfile-only";
const POST: &str = "npm-sigverify verify";

fn scripts(text: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(text).expect("edited text is JSON");
    doc["scripts"].clone()
}

#[test]
fn adds_both_hooks_to_a_file_without_scripts() {
    let text = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\"\n}\n";
    let edit = add_hooks(text).unwrap();
    assert_eq!(
        edit.text,
        format!("{{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"scripts\": {{\n    \"preinstall\": \"{PRE}\",\n    \"postinstall\": \"{POST}\"\n  }}\n}}\n")
    );
    assert_eq!(
        edit.changes,
        vec![
            (Hook::Preinstall, HookChange::Added),
            (Hook::Postinstall, HookChange::Added)
        ]
    );
}

#[test]
fn init_then_remove_gives_back_the_same_bytes() {
    let files = [
        "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\"\n}\n",
        "{\n\t\"name\": \"app\",\n\t\"scripts\": {\n\t\t\"test\": \"jest\"\n\t}\n}",
        "{\r\n    \"name\": \"app\",\r\n    \"version\": \"1.0.0\"\r\n}\r\n",
        "{\"name\":\"app\",\"scripts\":{\"build\":\"tsc\"}}",
        "{\"name\": \"app\"}",
        "{}",
        "\u{feff}{\n  \"name\": \"bom\"\n}\n",
    ];
    for original in files {
        let added = add_hooks(original).unwrap();
        assert!(added.changed(), "{original:?}");
        let s = scripts(added.text.trim_start_matches('\u{feff}'));
        assert_eq!(s["preinstall"], PRE, "{original:?}");
        assert_eq!(s["postinstall"], POST, "{original:?}");
        let removed = remove_hooks(&added.text).unwrap();
        assert_eq!(removed.text, original, "from {:?}", added.text);
    }
}

#[test]
fn is_idempotent() {
    let text = "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"postinstall\": \"node build.js\"\n  }\n}\n";
    let once = add_hooks(text).unwrap();
    let twice = add_hooks(&once.text).unwrap();
    assert_eq!(twice.text, once.text);
    assert!(!twice.changed());
    assert!(twice
        .changes
        .iter()
        .all(|(_, c)| *c == HookChange::AlreadyPresent));
}

#[test]
fn chains_in_front_of_the_users_scripts_and_removes_only_ours() {
    let text = "{\n  \"scripts\": {\n    \"preinstall\": \"node check.js\",\n    \"test\": \"jest\",\n    \"postinstall\": \"husky install\"\n  },\n  \"name\": \"app\"\n}\n";
    let added = add_hooks(text).unwrap();
    let s = scripts(&added.text);
    assert_eq!(s["preinstall"], format!("{PRE} && (node check.js)"));
    assert_eq!(s["postinstall"], format!("{POST} && (husky install)"));
    assert_eq!(s["test"], "jest");
    assert_eq!(
        added.changes[0].1,
        HookChange::Chained {
            existing: "node check.js".into()
        }
    );
    // Key order is kept: scripts still first, name last.
    assert!(added.text.find("\"scripts\"") < added.text.find("\"name\""));
    let removed = remove_hooks(&added.text).unwrap();
    assert_eq!(removed.text, text);
    assert_eq!(
        removed.changes[1].1,
        HookChange::Unchained {
            kept: "husky install".into()
        }
    );
}

#[test]
fn remove_leaves_scripts_that_are_not_ours() {
    let text =
        "{\n  \"scripts\": {\n    \"postinstall\": \"node x.js && npm-sigverify verify\"\n  }\n}\n";
    let removed = remove_hooks(text).unwrap();
    assert_eq!(removed.text, text);
    assert!(!removed.changed());
    assert_eq!(removed.changes[1].1, HookChange::NotPresent);
}

#[test]
fn keeps_other_scripts_when_ours_was_alone_in_its_key() {
    let text = format!(
        "{{\n  \"scripts\": {{\n    \"preinstall\": \"{PRE}\",\n    \"test\": \"jest\"\n  }}\n}}\n"
    );
    let removed = remove_hooks(&text).unwrap();
    assert_eq!(
        removed.text,
        "{\n  \"scripts\": {\n    \"test\": \"jest\"\n  }\n}\n"
    );
}

#[test]
fn escapes_and_unescapes_script_strings() {
    let text = r#"{"scripts": {"postinstall": "node -e \"console.log('a\\b')\""}}"#;
    let added = add_hooks(text).unwrap();
    assert_eq!(
        scripts(&added.text)["postinstall"],
        format!("{POST} && (node -e \"console.log('a\\b')\")")
    );
    assert_eq!(remove_hooks(&added.text).unwrap().text, text);
}

#[test]
fn uses_the_last_of_duplicate_keys_like_json_parse() {
    let text =
        "{\n  \"scripts\": {\"postinstall\": \"a\"},\n  \"scripts\": {\"postinstall\": \"b\"}\n}";
    let added = add_hooks(text).unwrap();
    assert!(added.text.contains("{\"postinstall\": \"a\"}"));
    assert_eq!(
        scripts(&added.text)["postinstall"],
        format!("{POST} && (b)")
    );
}

#[test]
fn hostile_input_is_a_typed_error() {
    let cases = [
        ("", "EPACKAGEJSON"),
        ("[1, 2]", "EPACKAGEJSON"),
        ("{\"scripts\": []}", "EPACKAGEJSON"),
        ("{\"scripts\": {\"preinstall\": 1}}", "EPACKAGEJSON"),
        ("{\"scripts\": {\"postinstall\": null}}", "EPACKAGEJSON"),
        ("{\"name\": \"x\"", "EPACKAGEJSON"),
        ("{\"a\": \"\\ud800\"} trailing", "EPACKAGEJSON"),
    ];
    for (text, code) in cases {
        let add = add_hooks(text).unwrap_err();
        let remove = remove_hooks(text).unwrap_err();
        assert_eq!((add.code(), remove.code()), (code, code), "{text:?}");
    }
}

#[test]
fn nested_values_with_braces_in_strings_do_not_confuse_the_scanner() {
    let text = "{\n  \"config\": {\"a\": [\"}\", {\"b\": \"{\\\"\"}]},\n  \"n\": -1.5e3,\n  \"t\": true\n}\n";
    let added = add_hooks(text).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&added.text).unwrap();
    assert_eq!(doc["config"]["a"][0], "}");
    assert_eq!(doc["n"], -1500.0);
    assert_eq!(remove_hooks(&added.text).unwrap().text, text);
}

#[test]
fn a_scripts_object_left_empty_is_removed() {
    // We cannot tell an empty `scripts` the user wrote from one we created; the common case is
    // a file without scripts, whose round trip must give back the same bytes.
    let text = "{\n  \"name\": \"app\",\n  \"scripts\": {}\n}\n";
    let added = add_hooks(text).unwrap();
    assert!(added.text.contains("\"scripts\": {\n    \"preinstall\""));
    let removed = remove_hooks(&added.text).unwrap();
    assert_eq!(removed.text, "{\n  \"name\": \"app\"\n}\n");
}

#[test]
fn a_users_script_cannot_turn_a_failed_verification_into_success() {
    for theirs in ["node x.js || true", "node x.js; exit 0", "true"] {
        let text = format!(
            "{{\"scripts\":{{\"postinstall\":{}}}}}",
            serde_json::to_string(theirs).unwrap()
        );
        let added = add_hooks(&text).unwrap();
        let script = scripts(&added.text)["postinstall"]
            .as_str()
            .unwrap()
            .to_string();
        // Run it with a failing verifier in place of ours: sh must report the failure.
        let as_run = script.replace(POST, "false");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&as_run)
            .status()
            .unwrap();
        assert!(!status.success(), "{script:?} hid a failure");
        let removed = remove_hooks(&added.text).unwrap();
        assert_eq!(scripts(&removed.text)["postinstall"], theirs);
    }
}

#[test]
fn the_old_ungrouped_chain_is_regrouped() {
    let text = format!("{{\"scripts\":{{\"postinstall\":\"{POST} && node x.js || true\"}}}}");
    let added = add_hooks(&text).unwrap();
    assert_eq!(
        scripts(&added.text)["postinstall"],
        format!("{POST} && (node x.js || true)")
    );
}

#[test]
fn scripts_with_comments_or_line_breaks_are_refused() {
    for theirs in ["node x.js # build", "a\nb"] {
        let text = format!(
            "{{\"scripts\":{{\"postinstall\":{}}}}}",
            serde_json::to_string(theirs).unwrap()
        );
        assert!(add_hooks(&text).is_err(), "{theirs:?}");
    }
}

#[test]
fn a_script_cannot_close_our_group() {
    for theirs in ["true ) ; ( echo escaped", "echo ')' ) ; (x", "a )"] {
        let text = format!(
            "{{\"scripts\":{{\"preinstall\":{}}}}}",
            serde_json::to_string(theirs).unwrap()
        );
        assert!(add_hooks(&text).is_err(), "{theirs:?}");
    }
    for ok in ["(cd x && make) || true", "echo ')' && node -e \"f(1)\""] {
        let text = format!(
            "{{\"scripts\":{{\"preinstall\":{}}}}}",
            serde_json::to_string(ok).unwrap()
        );
        assert!(add_hooks(&text).is_ok(), "{ok:?}");
    }
}
