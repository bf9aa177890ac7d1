//! The one way into the view: the typed core report, field by field. The CLI calls this on
//! the report it just made; stored `--json` files reach it through `Report::from_value`.

use sigverify_attest::ProvenanceFacts;
use sigverify_core::model as core;
use sigverify_policy::Outcome as PolicyOutcome;

use crate::model::{
    Attestation, Check, Contents, Decision, Exception, InternalSignature, Outcome, Package,
    PolicyDecision, PolicyInfo, Provenance, Report, Signer,
};

impl From<&core::Report> for Report {
    fn from(r: &core::Report) -> Report {
        let mut packages: Vec<Package> = r.packages.iter().map(Package::from).collect();
        packages.sort_by(|a, b| {
            (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
        });
        let environment = Some(r.policy.environment.clone()).filter(|e| !e.is_empty());
        Report {
            schema_version: r.schema_version,
            tool: r.tool.clone(),
            project: r.project.clone(),
            input: r.input.clone(),
            manager: r.manager.clone(),
            input_path: r.input_path.clone(),
            lockfile_path: r.input_path.clone(),
            mode: r.mode.clone(),
            environment,
            policy: PolicyInfo {
                source: r.policy.source.clone(),
                mode: r.policy.mode.clone(),
                allowed_failures: r.policy.allowed_failures,
            },
            exit_code: r.exit_code,
            duration_ms: r.duration_ms,
            timings: r.timings.clone(),
            warnings: r.warnings.clone(),
            packages,
        }
    }
}

impl From<&core::PackageResult> for Package {
    fn from(p: &core::PackageResult) -> Package {
        Package {
            name: p.name.clone(),
            version: p.version.clone(),
            location: p.location.clone(),
            alias: p.alias.clone(),
            registry: p.registry.clone(),
            source: p.source.clone(),
            dep_type: p.dep_type.clone(),
            status: p.status,
            code: p.code,
            message: p.message.clone(),
            remediation: p.remediation.clone(),
            outcomes: outcomes(&p.checks),
            policy: p.decision.as_ref().map(decision),
            integrity: p.integrity.clone(),
            lockfile_integrity: p.lockfile_integrity.clone(),
            resolved: p.resolved.clone(),
            keyids: p.keyids.clone(),
            repository: p.repository.clone(),
            // Core writes verified, absent or invalid; anything else is not a verdict.
            provenance: p.provenance.as_deref().and_then(Provenance::parse),
            attestations: p.attestations.iter().map(attestation).collect(),
            internal_signatures: p.internal_signatures.iter().map(internal).collect(),
            contents: p.contents.as_ref().map(contents),
            install_scripts: p.install_scripts.clone(),
            lockfile_line: p.lockfile_line.map(|l| l as u64),
        }
    }
}

fn outcomes(checks: &core::Checks) -> Vec<Outcome> {
    (checks.named().into_iter())
        .map(|(name, c)| Outcome {
            check: name.to_string(),
            state: c.state,
            code: c.code,
            message: c.message.clone(),
        })
        .collect()
}

fn decision(d: &sigverify_policy::Decision) -> PolicyDecision {
    PolicyDecision {
        outcome: match d.outcome {
            PolicyOutcome::Pass => Decision::Pass,
            PolicyOutcome::Warn => Decision::Warn,
            PolicyOutcome::Fail => Decision::Fail,
        },
        rule: d.rule.clone(),
        checks: (d.checks.iter())
            .map(|c| Check {
                check: c.check.clone(),
                passed: c.passed,
                required: c.required,
                code: c.code,
                message: c.message.clone(),
            })
            .collect(),
        exception: d.exception.as_ref().map(|e| Exception {
            package: e.package.clone(),
            reason: e.reason.clone(),
            expires: e.expires.clone(),
            expired: e.expired,
            applied: e.applied,
        }),
        remediation: d.remediation.clone(),
    }
}

fn attestation(a: &core::AttestationSummary) -> Attestation {
    Attestation {
        predicate_type: a.predicate_type.clone(),
        kind: a.kind.clone(),
        status: a.status.clone(),
        code: a.code.clone(),
        detail: a.detail.clone(),
        message: a.message.clone(),
        signer: a.signer.as_ref().map(signer),
        keyid: a.keyid.clone(),
        log_index: a.log_index,
    }
}

fn signer(f: &ProvenanceFacts) -> Signer {
    Signer {
        source_repository: f.source_repository_uri.clone(),
        repository_id: f.source_repository_id.clone(),
        owner: f.source_repository_owner_uri.clone(),
        owner_id: f.source_repository_owner_id.clone(),
        source_ref: f.source_repository_ref.clone(),
        commit: f.commit_sha.clone(),
        workflow_path: f.workflow_path.clone(),
        workflow_ref: f.workflow_ref.clone(),
        issuer: f.issuer.clone(),
    }
}

fn internal(s: &core::InternalSignature) -> InternalSignature {
    InternalSignature {
        source: s.source.clone(),
        location: s.location.clone(),
        valid: s.valid,
        fingerprint: s.fingerprint.clone(),
        owner: s.owner.clone(),
        checked_at: s.checked_at.clone(),
        timestamped: s.timestamped,
        code: s.code.clone(),
        message: s.message.clone(),
    }
}

fn contents(c: &core::ContentsResult) -> Contents {
    Contents {
        modified: c.modified.clone(),
        added: c.added.clone(),
        loadable: c.loadable.clone(),
        removed: c.removed.clone(),
        checked_files: c.checked_files,
    }
}
