//! The Node.js binding of npm-sigverify: maps JS options to core options, runs the core on
//! napi's tokio runtime, and maps results back. No verification logic lives here.
//!
//! Rejections carry the core's stable `err.code` (`ELOCKFILEPARSE`, `ENOLOCKFILE`, `ECONFIG`,
//! `EUSAGE`, ...): the error object is built on the JS thread once the future settles, because
//! napi's own async rejections only know napi's status names.

mod attestation;
mod options;
mod package;
mod report;
mod signals;
mod strict;

use std::future::Future;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigverify_core::{PackageSpec, VerifyError};
use strict::Strict;

#[global_allocator]
static ALLOCATOR: sigverify_core::work::memory::Allocator =
    sigverify_core::work::memory::Allocator {};

sigverify_core::jemalloc_settings!(sigverify_core::work::memory::ADDON_SETTINGS);

pub use options::{FetchOptions, ProvenanceOptions, VerifyPackageOptions, VerifyTreeOptions};
pub use package::PackageResult;
pub use report::{FetchSummary, RegistryInfo, Report, Summary};
pub use signals::SignalOptions;

/// Verifies the registry signatures of every package of a project.
///
/// Reads `npm-shrinkwrap.json`, `package-lock.json` (v1-v3), `node_modules/.package-lock.json`
/// or, without any lockfile, walks `node_modules`. A package that fails verification is data in
/// the report (`status` and `code`); the promise rejects only for unusable input or
/// configuration, with `err.code` (`ELOCKFILEPARSE`, `ENOLOCKFILE`, `ECONFIG`, ...).
#[napi(
    ts_args_type = "options?: VerifyTreeOptions | undefined | null",
    ts_return_type = "Promise<Report>"
)]
pub fn verify_tree(
    env: &Env,
    options: Option<Strict<VerifyTreeOptions>>,
) -> Result<PromiseRaw<'_, Report>> {
    settle(env, async move {
        let options = options.map(Strict::checked).transpose()?;
        let options = options.unwrap_or_default().into_core()?;
        let report = sigverify_core::verify_tree(&options).await?;
        Ok(Report::from(report))
    })
}

/// Verifies one package version (`name@version`, scoped names allowed), optionally holding the
/// registry's signed integrity against `options.integrity` and the bytes of `options.tarball`,
/// and decides it with the policy as `verifyTree` does.
#[napi(
    ts_args_type = "spec: string, options?: VerifyPackageOptions | undefined | null",
    ts_return_type = "Promise<PackageResult>"
)]
pub fn verify_package(
    env: &Env,
    spec: String,
    options: Option<Strict<VerifyPackageOptions>>,
) -> Result<PromiseRaw<'_, PackageResult>> {
    settle(env, async move {
        let options = options.map(Strict::checked).transpose()?;
        let options = options.unwrap_or_default();
        let mut parsed = PackageSpec::parse(&spec)?;
        parsed.integrity = options.integrity.clone();
        parsed.tarball = options.tarball.clone().map(Into::into);
        parsed.attestations = options.attestations_document()?;
        let core = options.into_core()?;
        let report = sigverify_core::verify_package(&parsed, &core).await?;
        let exit_code = report.exit_code;
        let result = report.packages.into_iter().next().expect("one package");
        Ok(PackageResult {
            exit_code: Some(exit_code),
            ..PackageResult::from(result)
        })
    })
}

/// Writes an offline evidence store (`options.out`) for a project's tree, for `offline` runs.
#[napi(ts_return_type = "Promise<FetchSummary>")]
pub fn fetch_store(env: &Env, options: FetchOptions) -> Result<PromiseRaw<'_, FetchSummary>> {
    settle(env, async move {
        let out = std::path::PathBuf::from(&options.out);
        let core = options.into_core()?;
        let summary = sigverify_core::fetch_store(&core, &out).await?;
        Ok(FetchSummary::from(summary))
    })
}

/// Options of `signPackage()`.
#[napi(object)]
pub struct SignOptions {
    /// The cosign private key (`ENCRYPTED SIGSTORE PRIVATE KEY` PEM, or cosign's older label).
    pub key: String,
    /// Its password (default: the `COSIGN_PASSWORD` environment variable).
    pub password: Option<String>,
    /// Write `<tarball>.<label>.sig` / `.sigstore.json` (one per approver, for k-of-n policies).
    pub label: Option<String>,
}

/// What `signPackage()` wrote.
#[napi(object)]
pub struct SignResult {
    /// `<tarball>[.<label>].sig`: the base64 DER signature, as `cosign sign-blob` writes it.
    pub signature_path: String,
    /// `<tarball>[.<label>].sigstore.json`: a Sigstore bundle (v0.3, public-key, no transparency log entry).
    pub bundle_path: String,
    /// The signature, base64.
    pub signature: String,
    /// Hex SHA-256 of the tarball.
    pub sha256: String,
    /// The signing key's fingerprint (hex SHA-256 of its public key DER).
    pub fingerprint: String,
}

/// Signs a package tarball with a cosign key, writing `<tarball>.sig` and
/// `<tarball>.sigstore.json` next to it. Throws with `err.code` (`EWRONGPASSWORD`,
/// `ENOPASSWORD`, `EKEYFORMAT`, ...) when the key cannot be used.
#[napi]
pub fn sign_package(env: &Env, tarball: String, options: SignOptions) -> Result<SignResult> {
    use sigverify_cosign::error::Coded;
    let password = options
        .password
        .or_else(|| std::env::var("COSIGN_PASSWORD").ok());
    let Some(password) = password else {
        let why = "no password: pass options.password or set COSIGN_PASSWORD";
        return Err(js_error(env, "ENOPASSWORD", why));
    };
    let path = std::path::Path::new(&tarball);
    let out = sigverify_cosign::sign::sign_package(
        path,
        options.key.as_ref(),
        password.as_bytes(),
        options.label.as_deref(),
    )
    .map_err(|e| js_error(env, e.code(), &format!("{e}\n  fix: {}", e.remediation())))?;
    Ok(SignResult {
        signature_path: out.signature_path.display().to_string(),
        bundle_path: out.bundle_path.display().to_string(),
        signature: out.signature,
        sha256: out.sha256,
        fingerprint: out.fingerprint,
    })
}

/// Runs the `npm-sigverify` command line with the given arguments (without `node` and the script
/// name) and resolves to its exit code. Output goes to the process's stdout and stderr.
#[napi(ts_return_type = "Promise<number>")]
pub fn run_cli(argv: Vec<String>) -> AsyncTask<CliTask> {
    AsyncTask::new(CliTask { argv })
}

/// Asks a `serve` started by `runCli(['serve', ...])` in this process to drain its requests and
/// stop (its promise then resolves to 0). The CLI's bin calls it on SIGTERM and SIGINT: inside
/// Node, Node owns the process's signals.
#[napi]
pub fn stop_serve() {
    sigverify_cli::stop_serve();
}

/// Runs the CLI on a libuv worker thread (it starts its own runtime, so not on napi's).
pub struct CliTask {
    argv: Vec<String>,
}

impl Task for CliTask {
    type Output = i32;
    type JsValue = i32;

    fn compute(&mut self) -> Result<i32> {
        sigverify_cli::set_embedded();
        let mut argv = vec![std::ffi::OsString::from("npm-sigverify")];
        argv.extend(self.argv.iter().map(std::ffi::OsString::from));
        Ok(sigverify_cli::run(argv))
    }

    fn resolve(&mut self, _env: Env, output: i32) -> Result<i32> {
        Ok(output)
    }
}

/// Runs a core future on napi's runtime; settles the promise on the JS thread, rejecting with
/// an `Error` whose `code` is the core's stable code.
fn settle<T, F>(env: &Env, future: F) -> Result<PromiseRaw<'_, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = std::result::Result<T, VerifyError>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(future.await) }, |env, outcome| {
        outcome.map_err(|e| coded_error(env, &e))
    })
}

fn coded_error(env: &Env, e: &VerifyError) -> Error {
    js_error(env, e.code(), &format!("{e}\n  fix: {}", e.remediation()))
}

/// A JS `Error` with a `code` property; credentials inside URLs in `reason` (an unparsable
/// registry or proxy setting is quoted as written) are replaced by `***`, as in the CLI.
fn js_error(env: &Env, code: &str, reason: &str) -> Error {
    let reason = &sigverify_core::model::redact::url(reason);
    let build = || -> Result<Error> {
        let mut object = env.create_error(Error::new(Status::GenericFailure, reason))?;
        object.set_named_property("code", code)?;
        Ok(Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|_| Error::new(Status::GenericFailure, reason))
}
