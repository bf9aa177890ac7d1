//! `explain`'s text: everything known about one package, each check with its state and
//! evidence, what the incident signals know (publish time, publisher, pin, baseline), and the
//! policy rule that decided.

use std::fmt::Write;

use sigverify_core::model::Publisher;
use sigverify_core::PackageResult;
use sigverify_reports::terminal as shown;

/// Everything known about one package: each check with its state and evidence, and the policy
/// rule that decided.
pub fn explain(p: &PackageResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} at {}", shown(&p.id()), shown(&p.location));
    let code = p.code.map(|c| c.as_str()).unwrap_or("");
    let _ = writeln!(out, "  status:      {} {code}", p.status.as_str());
    let _ = writeln!(
        out,
        "  source:      {} ({})",
        p.source,
        shown(p.registry.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(
        out,
        "  integrity:   {} (lockfile {})",
        shown(p.integrity.as_deref().unwrap_or("-")),
        shown(p.lockfile_integrity.as_deref().unwrap_or("-"))
    );
    if !p.keyids.is_empty() {
        let _ = writeln!(out, "  keyids:      {}", shown(&p.keyids.join(", ")));
    }
    let _ = writeln!(out, "  checks:");
    for (name, check) in p.checks.named() {
        let code = check.code.map(|c| format!(" {c}")).unwrap_or_default();
        let _ = writeln!(out, "    {name:<19} {}{code}", check.state.as_str());
        if let Some(message) = check.message.as_deref().filter(|_| check.state.fails()) {
            let _ = writeln!(out, "      {}", shown(message));
        }
    }
    for a in &p.attestations {
        let signer = a.signer.as_ref();
        let _ = writeln!(
            out,
            "  attestation: {} {} log {} repo {} ref {}",
            a.kind,
            a.status,
            a.log_index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            shown(
                signer
                    .and_then(|s| s.source_repository_uri.as_deref())
                    .unwrap_or("-")
            ),
            shown(
                signer
                    .and_then(|s| s.source_repository_ref.as_deref())
                    .unwrap_or("-")
            ),
        );
    }
    signal_lines(&mut out, p);
    if let Some(contents) = &p.contents {
        let _ = writeln!(
            out,
            "  contents:    {} files compared; {} modified, {} removed, {} added ({} change what Node loads)",
            contents.checked_files,
            contents.modified.len(),
            contents.removed.len(),
            contents.added.len(),
            contents.loadable.len()
        );
    }
    if let Some(decision) = &p.decision {
        let outcome = format!("{:?}", decision.outcome).to_lowercase();
        let _ = writeln!(out, "  decision:    {outcome} (rule {})", decision.rule);
        for check in &decision.checks {
            let mark = if check.passed {
                "ok  "
            } else if check.required {
                "FAIL"
            } else {
                "warn"
            };
            let _ = writeln!(out, "    {mark} {}: {}", check.check, shown(&check.message));
        }
        if let Some(e) = &decision.exception {
            let _ = writeln!(
                out,
                "  exception:   {} (expires {}, {}): {}",
                shown(&e.package),
                shown(&e.expires),
                if e.expired {
                    "expired"
                } else if e.applied {
                    "applied"
                } else {
                    "not needed"
                },
                shown(&e.reason)
            );
        }
    }
    if let Some(fix) = &p.remediation {
        let _ = writeln!(out, "  fix:         {fix}");
    }
    out.push('\n');
    out
}

/// What the incident signals know of a package: when and by whom it was published, its pin
/// and how it differs from the baseline. Unsigned registry claims are marked as such.
fn signal_lines(out: &mut String, p: &PackageResult) {
    if let Some(t) = &p.publish_time {
        let how = if t.authenticated {
            format!("authenticated, {}", t.source)
        } else {
            "unauthenticated: the registry's unsigned time".to_string()
        };
        let _ = writeln!(
            out,
            "  published:   {} ({how})",
            t.at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    if let Some(publisher) = &p.publisher {
        let _ = writeln!(out, "  publisher:   {}", publisher_text(publisher));
    }
    if let Some(pin) = &p.pin {
        let _ = writeln!(out, "  pin:         {pin}");
    }
    if let Some(b) = &p.baseline {
        let from = match b.from.is_empty() {
            true => String::new(),
            false => format!(" (baseline has {})", b.from.join(", ")),
        };
        let _ = writeln!(out, "  baseline:    {}{from}", b.state);
    }
}

/// The verified identity, else the provenance state; the registry's unsigned claims after it.
fn publisher_text(publisher: &Publisher) -> String {
    let mut text = publisher.identity.as_ref().map_or_else(
        || format!("provenance {}", publisher.provenance),
        |i| i.to_string(),
    );
    if let Some(user) = &publisher.npm_user {
        let _ = write!(text, "; registry says npm user {user} (unsigned)");
    }
    if let Some(tp) = &publisher.trusted_publisher {
        let _ = write!(text, "; registry says trusted publisher {tp} (unsigned)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigverify_core::model::{BaselineChange, PublishTime, PublisherIdentity};

    fn package() -> PackageResult {
        PackageResult::new("left-pad", "1.3.1", "node_modules/left-pad", "registry")
    }

    #[test]
    fn without_signal_evidence_no_signal_lines() {
        let text = explain(&package());
        for label in ["published:", "publisher:", "pin:", "baseline:"] {
            assert!(!text.contains(label), "{label} in {text}");
        }
    }

    #[test]
    fn registry_time_is_marked_unauthenticated_and_attested_time_names_its_source() {
        let mut p = package();
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        p.publish_time = Some(PublishTime {
            at,
            authenticated: false,
            source: "packument".into(),
            attested_at: None,
            registry_time: Some(at),
        });
        let text = explain(&p);
        assert!(
            text.contains("published:   2026-01-02 03:04 UTC (unauthenticated"),
            "{text}"
        );
        p.publish_time.as_mut().unwrap().authenticated = true;
        p.publish_time.as_mut().unwrap().source = "publish-attestation".into();
        assert!(explain(&p).contains("(authenticated, publish-attestation)"));
    }

    #[test]
    fn publisher_pin_and_baseline_are_named() {
        let mut p = package();
        p.publisher = Some(Publisher {
            provenance: "verified".into(),
            identity: Some(PublisherIdentity {
                repository: Some("github.com/acme/left-pad".into()),
                repository_id: Some("42".into()),
                workflow: Some(".github/workflows/release.yml".into()),
                ..Default::default()
            }),
            trusted_publisher: None,
            npm_user: Some("mallory".into()),
        });
        p.pin = Some("mismatch".into());
        p.baseline = Some(BaselineChange {
            state: "changed".into(),
            from: vec!["1.3.0".into()],
        });
        let text = explain(&p);
        assert!(text.contains("publisher:   github.com/acme/left-pad (repository id 42"));
        assert!(text.contains("registry says npm user mallory (unsigned)"));
        assert!(text.contains("pin:         mismatch"));
        assert!(text.contains("baseline:    changed (baseline has 1.3.0)"));
        p.publisher = Some(Publisher {
            provenance: "absent".into(),
            ..Default::default()
        });
        assert!(explain(&p).contains("publisher:   provenance absent\n"));
    }
}
