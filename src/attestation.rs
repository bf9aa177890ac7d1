//! JS-facing mirrors of the attestations of a package (`#[napi(object)]`, typed in index.d.ts).

use napi_derive::napi;
use sigverify_core::model as core;

/// One attestation bundle's verdict.
#[napi(object)]
pub struct Attestation {
    /// The predicate type (SLSA provenance or npm publish).
    pub predicate_type: String,
    /// What kind of attestation.
    #[napi(ts_type = "'provenance' | 'publish' | 'other'")]
    pub kind: String,
    /// The verdict.
    #[napi(ts_type = "'verified' | 'invalid'")]
    pub status: String,
    /// npm's code when invalid (`EATTESTATIONVERIFY`, `EATTESTATIONSUBJECT`, ...).
    pub code: Option<String>,
    /// Finer detail code (`ESIGNATURE`, `ETLOGINCLUSION`, `EKEYEXPIRED`, ...).
    pub detail: Option<String>,
    /// Why it is invalid.
    pub message: Option<String>,
    /// What a verified provenance proves.
    pub signer: Option<Signer>,
    /// Registry keyid of a verified publish attestation.
    pub keyid: Option<String>,
    /// Rekor log index.
    pub log_index: Option<i64>,
    /// When the signature verifiably existed (RFC 3339): the log's integrated time, else the
    /// earliest verified RFC 3161 timestamp.
    pub signed_at: Option<String>,
    /// Where `signedAt` comes from.
    #[napi(ts_type = "'tlog' | 'rfc3161'")]
    pub signed_at_source: Option<String>,
}

/// The facts a verified provenance proves (from the Fulcio certificate and the SLSA predicate).
#[napi(object)]
pub struct Signer {
    /// OIDC issuer.
    pub issuer: Option<String>,
    /// Certificate identity (for GitHub: the workflow URI with its ref).
    pub san: Option<String>,
    /// Source repository URI.
    pub source_repository: Option<String>,
    /// The provider's immutable repository id.
    pub source_repository_id: Option<String>,
    /// The repository owner's URI.
    pub source_repository_owner: Option<String>,
    /// The provider's immutable owner id.
    pub source_repository_owner_id: Option<String>,
    /// Git ref the build ran on.
    pub source_repository_ref: Option<String>,
    /// Commit SHA the build ran on.
    pub commit: Option<String>,
    /// Workflow file path.
    pub workflow_path: Option<String>,
    /// Ref of the workflow file.
    pub workflow_ref: Option<String>,
    /// Event that triggered the build.
    pub build_trigger: Option<String>,
    /// github-hosted or self-hosted runner.
    pub runner_environment: Option<String>,
    /// SLSA builder id.
    pub builder_id: Option<String>,
    /// The verified transparency-log time of the attestation (RFC 3339).
    pub integrated_time: Option<String>,
}

/// The JS mirror of one attestation's verdict.
pub(crate) fn attestation(a: core::AttestationSummary) -> Attestation {
    Attestation {
        predicate_type: a.predicate_type,
        kind: a.kind,
        status: a.status,
        code: a.code,
        detail: a.detail,
        message: a.message,
        signer: a.signer.map(|f| Signer {
            issuer: f.issuer,
            san: f.san,
            source_repository: f.source_repository_uri,
            source_repository_id: f.source_repository_id,
            source_repository_owner: f.source_repository_owner_uri,
            source_repository_owner_id: f.source_repository_owner_id,
            source_repository_ref: f.source_repository_ref,
            commit: f.commit_sha,
            workflow_path: f.workflow_path,
            workflow_ref: f.workflow_ref,
            build_trigger: f.build_trigger,
            runner_environment: f.runner_environment,
            builder_id: f.builder_id,
            integrated_time: f.integrated_time.map(|t| t.to_rfc3339()),
        }),
        keyid: a.keyid,
        log_index: a.log_index.map(|i| i as i64),
        signed_at: a.signed_at.map(|t| t.to_rfc3339()),
        signed_at_source: a.signed_at_source,
    }
}
