//! Exceptions, environments and exit codes.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use sigverify_policy::*;
use std::collections::HashMap;

// ---- exceptions ----

const EXCEPTIONS: &str = r#"
exceptions:
  - package: "old-lib@^1.2.0"
    reason: "fork awaiting re-publication"
    expires: 2026-12-31
  - package: "@acme/gone@1.0.0 || 2.x"
    reason: "retired"
    expires: "2026-01-31"
"#;

#[test]
fn exception_excuses_until_it_expires() {
    let p = policy(EXCEPTIONS);
    let d = decide(
        &p,
        &prod(),
        &PackageEvidence {
            version: "1.4.0".into(),
            ..unsigned("old-lib")
        },
        now(),
    );
    assert_eq!(d.outcome, Outcome::Warn);
    let used = d.exception.unwrap();
    assert!(used.applied && !used.expired);
    let last_day = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
    let ev = PackageEvidence {
        version: "1.4.0".into(),
        ..unsigned("old-lib")
    };
    assert_eq!(
        decide(&p, &prod(), &ev, last_day).outcome,
        Outcome::Warn,
        "valid through the whole day"
    );
    let after = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let d = decide(&p, &prod(), &ev, after);
    assert_eq!(d.outcome, Outcome::Fail);
    assert!(failed_codes(&d).contains(&"EEXCEPTIONEXPIRED".to_string()));
    assert!(d.exception.unwrap().expired);
}

#[test]
fn exception_ranges() {
    let p = policy(EXCEPTIONS);
    let outcome = |name: &str, v: &str| {
        decide(
            &p,
            &prod(),
            &PackageEvidence {
                version: v.into(),
                ..unsigned(name)
            },
            now(),
        )
        .outcome
    };
    assert_eq!(outcome("old-lib", "2.0.0"), Outcome::Fail, "outside ^1.2.0");
    assert_eq!(outcome("old-lib", "1.1.9"), Outcome::Fail);
    assert_eq!(
        outcome("old-lib-x", "1.4.0"),
        Outcome::Fail,
        "name must be equal"
    );
    // Expired on 2026-01-31: excuses nothing in June, and a passing package just warns about it.
    assert_eq!(outcome("@acme/gone", "2.3.0"), Outcome::Fail);
    let d = decide(&p, &prod(), &signed("@acme/gone", "1.0.0"), now());
    assert_eq!(
        (d.outcome, failed_codes(&d)),
        (Outcome::Warn, vec!["EEXCEPTIONEXPIRED".to_string()])
    );
}

// ---- environments and exit codes ----

const ENVS: &str = r#"
environments:
  default: staging
  development: { mode: warn }
  staging: { mode: enforce, allowedFailures: 2 }
  production: { mode: enforce, require: [provenance] }
"#;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn an_exception_with_codes_excuses_only_those_failures() {
    let p = policy(
        "rules:\n  - package: \"*\"\n    require: [registry-signature, provenance]\nexceptions:\n  - package: \"old-lib@*\"\n    reason: \"no provenance yet\"\n    expires: 2099-01-01\n    codes: [EPROVENANCEREQUIRED]\n",
    );
    // Signed, no provenance: the one failure the exception names is excused.
    let no_provenance = decide(&p, &prod(), &signed("old-lib", "1.0.0"), now());
    assert_eq!(no_provenance.outcome, Outcome::Warn);
    assert!(no_provenance.exception.unwrap().applied);
    // The same package with a lockfile integrity swapped as well: not excused.
    let swapped = PackageEvidence {
        other_checks: vec![OtherCheck {
            check: "integrity".into(),
            state: OtherState::Failed,
            code: Some(sigverify_codes::Code::IntegrityMismatch),
            message: "lockfile integrity differs".into(),
        }],
        ..signed("old-lib", "1.0.0")
    };
    let d = decide(&p, &prod(), &swapped, now());
    assert_eq!(d.outcome, Outcome::Fail);
    assert!(!d.exception.as_ref().unwrap().applied);
    assert!(failed_codes(&d).contains(&"EINTEGRITYMISMATCH".to_string()));
}

/// A folder the lockfile does not install names itself (its own package.json): an exception
/// for that name excuses its EEXTRANEOUS only when it lists the code.
#[test]
fn an_exception_without_codes_does_not_excuse_a_folder_the_lockfile_does_not_install() {
    let extraneous = PackageEvidence {
        other_checks: vec![OtherCheck {
            check: "contents".into(),
            state: OtherState::Failed,
            code: Some(sigverify_codes::Code::Extraneous),
            message: "node_modules/alpha/node_modules/old-lib is not installed by the lockfile"
                .into(),
        }],
        ..signed("old-lib", "1.2.5")
    };
    let d = decide(&policy(EXCEPTIONS), &prod(), &extraneous, now());
    assert_eq!(d.outcome, Outcome::Fail);
    assert!(!d.exception.as_ref().unwrap().applied);
    let listed = "exceptions:\n  - package: \"old-lib@^1.2.0\"\n    reason: \"a tool writes it\"\n    expires: 2099-01-01\n    codes: [EEXTRANEOUS]\n";
    let d = decide(&policy(listed), &prod(), &extraneous, now());
    assert_eq!(d.outcome, Outcome::Warn);
}

#[test]
fn exception_codes_must_be_catalog_codes() {
    let bad = "exceptions:\n  - package: \"a@*\"\n    reason: r\n    expires: 2099-01-01\n    codes: [ENOSUCHCODE]\n";
    let err = load_str("p.yaml", bad, Format::Yaml).unwrap_err();
    assert!(err.to_string().contains("ENOSUCHCODE"), "{err}");
    let empty = bad.replace("[ENOSUCHCODE]", "[]");
    assert!(load_str("p.yaml", &empty, Format::Yaml).is_err());
}

#[test]
fn environment_selection_precedence() {
    let p = policy(ENVS);
    let both = vars(&[
        ("NPM_SIGVERIFY_ENV", "production"),
        ("NODE_ENV", "development"),
    ]);
    assert_eq!(
        select_environment(&p, Some("development"), &both)
            .unwrap()
            .name,
        "development"
    );
    assert_eq!(
        select_environment(&p, None, &both).unwrap().name,
        "production"
    );
    assert_eq!(
        select_environment(&p, None, &vars(&[("NODE_ENV", "development")]))
            .unwrap()
            .mode,
        Mode::Warn
    );
    assert_eq!(
        select_environment(&p, None, &vars(&[("NPM_SIGVERIFY_ENV", "")]))
            .unwrap()
            .name,
        "staging"
    );
    assert_eq!(
        select_environment(&Policy::default(), None, &HashMap::new()).unwrap(),
        prod()
    );
    let err = select_environment(&p, Some("qa"), &HashMap::new()).unwrap_err();
    assert_eq!(err.code(), "EPOLICYENV");
    assert!(err.to_string().contains("'qa'"), "{err}");
    // Undeclared names from variables are strict, never lenient.
    let stray = select_environment(
        &Policy::default(),
        None,
        &vars(&[("NODE_ENV", "development")]),
    )
    .unwrap();
    assert_eq!(
        (stray.name.as_str(), stray.mode, stray.allowed_failures),
        ("development", Mode::Enforce, 0)
    );
}

#[test]
fn an_undeclared_name_from_a_variable_keeps_what_the_default_requires() {
    // Jest sets NODE_ENV=test; this policy's default environment requires provenance and a
    // release age.
    let p = policy(
        "environments:\n  default: production\n  development: { mode: warn }\n  production: { mode: warn, allowedFailures: 3, require: [provenance], signals: { releaseAge: fail } }\nsignals:\n  releaseAge: { minimum: 3d, action: warn }\n",
    );
    let test = select_environment(&p, None, &vars(&[("NODE_ENV", "test")])).unwrap();
    let default = select_environment(&p, None, &HashMap::new()).unwrap();
    assert_eq!((test.name.as_str(), test.source), ("test", "NODE_ENV"));
    assert_eq!(
        test.require, default.require,
        "the default's requirements stay"
    );
    assert_eq!(test.signals, default.signals, "and its signal actions");
    assert_eq!(
        (test.mode, test.allowed_failures),
        (Mode::Enforce, 0),
        "never more lenient than strict"
    );
    let via_own = select_environment(&p, None, &vars(&[("NPM_SIGVERIFY_ENV", "qa")])).unwrap();
    assert_eq!(via_own.require, default.require);
}

#[test]
fn modes_and_exit_codes() {
    let p = policy(ENVS);
    let env = |n: &str| select_environment(&p, Some(n), &HashMap::new()).unwrap();
    let run = |e: &Environment, n: usize| {
        let mut ds: Vec<_> = (0..n)
            .map(|i| decide(&p, e, &unsigned(&format!("p{i}")), now()))
            .collect();
        ds.push(decide(&p, e, &signed("ok", "1.0.0"), now()));
        exit_code(&ds, e)
    };
    assert_eq!(run(&env("development"), 5), 0, "development warns");
    assert_eq!(run(&env("staging"), 2), 0, "within allowedFailures");
    assert_eq!(run(&env("staging"), 3), 1, "over allowedFailures");
    assert_eq!(run(&env("production"), 1), 1);
    // production's extra require applies to every package.
    let d = decide(&p, &env("production"), &signed("ok", "1.0.0"), now());
    assert_eq!(failed_codes(&d), vec!["EPROVENANCEREQUIRED"]);
    assert_eq!(exit_code(&[d], &env("production")), 1);
    let warned = decide(
        &p,
        &env("staging"),
        &PackageEvidence {
            provenance: ProvState::Downgrade {
                previous: "1".into(),
            },
            ..signed("a", "2.0.0")
        },
        now(),
    );
    assert_eq!(
        (
            warned.outcome,
            exit_code(std::slice::from_ref(&warned), &env("production"))
        ),
        (Outcome::Warn, 0),
        "warnings never fail a run"
    );
}

#[test]
fn decisions_serialise_for_reports() {
    let d = decide(&Policy::default(), &prod(), &unsigned("a"), now());
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["outcome"], "fail");
    assert_eq!(v["checks"][0]["code"], "EMISSINGSIGNATURE");
}
