//! The `npm-sigverify` command line, shared by the standalone binary and the addon's `runCli`.

mod approve_cmd;
mod arg_groups;
mod args;
pub mod cache_cmd;
pub mod cosign;
mod error;
mod explain;
mod help_text;
mod hooks_cmd;
mod human;
mod init_policy;
mod output;
mod pin_cmd;
mod progress_bar;
mod risk_cmd;
mod serve_cmd;
mod signal_args;
mod trust_cmd;
mod verify_cmd;
mod vsa_cmd;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use sigverify_core::config::{CacheSettings, HttpOptions, ProvenanceOptions};
use sigverify_core::npmrc::{ConfigOverrides, NpmConfig};
use sigverify_core::{
    fetch_store, verify_package, Omit, PackageSpec, PolicyChoice, VerifyError, VerifyOptions,
};

pub use args::{Cli, Command};
use args::{EvidenceArgs, FetchArgs, OmitKind, PolicyArgs, ProvenanceArgs, VerifyPackageArgs};

/// Exit code: usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// Set by a host process that owns the signals (the Node addon): `serve` then stops on
/// [`stop_serve`] instead of installing its own SIGTERM / SIGINT handlers.
static EMBEDDED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks the CLI as run inside a host that handles SIGTERM / SIGINT itself.
pub fn set_embedded() {
    EMBEDDED.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn embedded() -> bool {
    EMBEDDED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Asks a running `serve` to drain its requests and stop (the host caught SIGTERM or SIGINT).
pub fn stop_serve() {
    sigverify_serve::request_stop();
}

/// Runs the CLI with full argv (program name first) and returns the exit code.
pub fn run(argv: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let code = runtime.block_on(dispatch(cli.command));
    let _ = std::io::stdout().flush();
    code
}

/// Runs `work` as a task on the runtime's workers rather than on the thread that blocks on the
/// runtime: the tasks it waits for then wake it on the worker where they finish (which runs it
/// next) instead of waking that thread each time (a cold run of the bench tree: ~3,800 -> ~3,000
/// context switches, ~10-20 ms less wall time).
async fn on_worker<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    match tokio::spawn(work).await {
        Ok(done) => done,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn dispatch(command: Command) -> i32 {
    let (outcome, dir) = match command {
        Command::Verify(args) => {
            let dir = args.dir.clone();
            (on_worker(verify_cmd::run_verify(args)).await, dir)
        }
        Command::Explain(args) => {
            let dir = args.verify.dir.clone();
            (on_worker(verify_cmd::run_explain(args)).await, dir)
        }
        Command::VerifyPackage(args) => (
            on_worker(run_verify_package(args))
                .await
                .map_err(Into::into),
            None,
        ),
        Command::Fetch(args) => {
            let dir = args.dir.clone();
            (on_worker(run_fetch(args)).await.map_err(Into::into), dir)
        }
        Command::Risk(args) => {
            let dir = args.dir.clone();
            (on_worker(risk_cmd::run_risk(args)).await, dir)
        }
        Command::Init(args) => return hooks_cmd::run_init(&args),
        Command::Pin(args) => {
            let dir = args.dir.clone();
            (pin_cmd::run_pin(args).await, dir)
        }
        Command::ApproveScripts(args) => {
            let dir = args.dir.clone();
            (approve_cmd::run_approve(args).await, dir)
        }
        Command::Install(args) => return hooks_cmd::run_install(&args).await,
        Command::Cosign(command) => return cosign::run(&command),
        Command::Serve(args) => return serve_cmd::run_serve(args).await,
        Command::VerifyVsa(args) => (vsa_cmd::run_verify_vsa(&args), None),
        Command::Trust(args::TrustCommand::Update(args)) => {
            (trust_cmd::run_trust_update(args).await, None)
        }
        Command::Cache(args) => {
            let env = std::env::vars().collect();
            let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
            return cache_cmd::execute_cache_command(&args, &env, &mut out, &mut err).await;
        }
    };
    match outcome {
        Ok((text, code)) => {
            print_scrubbed(&text, dir);
            code
        }
        Err(e) => {
            let e: error::CliError = e;
            let text = format!(
                "npm-sigverify: {} ({})\n  fix: {}",
                e.message, e.code, e.remediation
            );
            eprintln!("{}", redactor(dir).text(&text));
            EXIT_USAGE
        }
    }
}

/// Prints output after removing any configured secret and URL credentials, as a last line of
/// defence (the report is already redacted; error texts may not be).
fn print_scrubbed(text: &str, dir: Option<PathBuf>) {
    output::print(&redactor(dir).text(text.trim_end()));
}

pub(crate) fn redactor(dir: Option<PathBuf>) -> sigverify_core::model::redact::Redactor {
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    let secrets = NpmConfig::load(&dir, &ConfigOverrides::default())
        .map(|c| c.secrets())
        .unwrap_or_default();
    sigverify_core::model::redact::Redactor::new(secrets)
}

pub(crate) fn options(
    dir: Option<PathBuf>,
    lockfile: Option<PathBuf>,
    offline: Option<PathBuf>,
    omit: &[OmitKind],
    e: &EvidenceArgs,
) -> VerifyOptions {
    VerifyOptions {
        dir: dir.unwrap_or_else(|| PathBuf::from(".")),
        lockfile,
        overrides: ConfigOverrides {
            registry: e.registry.clone(),
        },
        offline,
        omit: Omit {
            dev: omit.contains(&OmitKind::Dev),
            optional: omit.contains(&OmitKind::Optional),
            peer: omit.contains(&OmitKind::Peer),
        },
        concurrency: e.concurrency,
        http: HttpOptions {
            timeout: Duration::from_millis(e.timeout),
            retries: e.retries,
            ..HttpOptions::default()
        },
        cache: CacheSettings {
            spec: e.cache.clone(),
            max_age: e.cache_max_age.map(Duration::from_secs),
        },
        deadline: e.deadline.map(Duration::from_millis),
        ..VerifyOptions::default()
    }
}

/// The policy a command runs under: `--policy FILE`, `--no-policy` (npm's defaults), else the
/// project's own; and its environment.
pub(crate) fn apply_policy(opts: &mut VerifyOptions, args: &PolicyArgs) {
    opts.policy = match (&args.policy, args.no_policy) {
        (Some(path), _) => PolicyChoice::File(path.clone()),
        (None, true) => PolicyChoice::Defaults,
        (None, false) => PolicyChoice::Discover,
    };
    opts.environment = args.env.clone();
}

pub(crate) fn provenance_options(p: &ProvenanceArgs) -> ProvenanceOptions {
    ProvenanceOptions {
        enabled: !p.no_attestations,
        require: p.require_provenance,
        repository_match: p.provenance_repository_match,
        trusted_root: p.trusted_root.clone(),
        allowed_issuers: p.allowed_issuer.clone(),
        allowed_repositories: p.allowed_repository.clone(),
        allowed_workflow_refs: p.allowed_workflow_ref.clone(),
        ..ProvenanceOptions::default()
    }
}

async fn run_verify_package(args: VerifyPackageArgs) -> Result<(String, i32), VerifyError> {
    let mut spec = PackageSpec::parse(&args.spec)?;
    spec.integrity = args.integrity;
    spec.tarball = args.tarball;
    if let Some(path) = &args.attestations {
        let doc = std::fs::read(path).map_err(|e| {
            VerifyError::Usage(format!("cannot read attestations {}: {e}", path.display()))
        })?;
        spec.attestations = Some(doc);
    }
    let mut opts = options(None, None, args.offline, &[], &args.evidence);
    opts.provenance = provenance_options(&args.provenance);
    opts.trust_file = args.trust;
    opts.signals = args.signals.overrides();
    apply_policy(&mut opts, &args.policy);
    let report = verify_package(&spec, &opts).await?;
    let text = if args.json {
        let package = report.packages.first().expect("one package");
        serde_json::to_string_pretty(package).expect("json renders")
    } else {
        human::render(&report)
    };
    Ok((text, report.exit_code))
}

async fn run_fetch(args: FetchArgs) -> Result<(String, i32), VerifyError> {
    let opts = options(args.dir, args.lockfile, None, &[], &args.evidence);
    let summary = fetch_store(&opts, &args.out).await?;
    let mut text = format!(
        "wrote {} packuments and the keys of {} registries to {}\n",
        summary.packuments,
        summary.registries,
        args.out.display()
    );
    for (what, why) in &summary.failures {
        text.push_str(&format!("could not fetch {what}: {why}\n"));
    }
    Ok((text, i32::from(!summary.failures.is_empty())))
}
