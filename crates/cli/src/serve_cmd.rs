//! `npm-sigverify serve`: flags and environment mapped onto the gate's configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use sigverify_serve::config::{parse_named_policy, parse_registry, parse_scope};
use sigverify_serve::ServeConfig;

use crate::error::CliError;

/// `serve` arguments (each also from the environment variable it names).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address installers and the verification API connect to.
    #[arg(
        long,
        value_name = "HOST:PORT",
        env = "NPM_SIGVERIFY_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// Address of /healthz, /readyz and /metrics for probes and scrapers (on --listen they are
    /// /-/healthz, /-/readyz, /-/metrics, so that no package name is shadowed).
    #[arg(long, value_name = "HOST:PORT", env = "NPM_SIGVERIFY_OPS_LISTEN")]
    pub ops_listen: Option<SocketAddr>,
    /// The registry unscoped packages come from.
    #[arg(
        long,
        value_name = "URL",
        env = "NPM_SIGVERIFY_UPSTREAM",
        default_value = "https://registry.npmjs.org/"
    )]
    pub upstream: String,
    /// The registry of a scope: @scope=URL (repeatable).
    #[arg(long = "scope", value_name = "@SCOPE=URL", value_parser = parse_scope)]
    pub scopes: Vec<(String, url::Url)>,
    /// More npm settings for the upstreams (.npmrc syntax; ${VAR} taken from the environment):
    /// //host/:_authToken=${TOKEN}, cafile, proxy.
    #[arg(long, value_name = "FILE", env = "NPM_SIGVERIFY_NPMRC")]
    pub npmrc: Option<PathBuf>,
    /// The policy that decides every version (default: npm's defaults).
    #[arg(long, value_name = "FILE", env = "NPM_SIGVERIFY_POLICY")]
    pub policy: Option<PathBuf>,
    /// A policy the verification API can name with ?policy=NAME (repeatable).
    #[arg(long = "named-policy", value_name = "NAME=FILE", value_parser = parse_named_policy)]
    pub named_policies: Vec<(String, PathBuf)>,
    /// The policy environment (default: NPM_SIGVERIFY_ENV, then NODE_ENV, then the policy's).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// The shared cache: redis://host:port[/db] (rediss:// for TLS), a folder, or off. Verdicts
    /// are shared between replicas when NPM_SIGVERIFY_CACHE_KEY authenticates it.
    #[arg(long, value_name = "SPEC", env = "NPM_SIGVERIFY_CACHE")]
    pub cache: Option<String>,
    /// false turns the cache off whatever --cache says.
    #[arg(long, value_name = "BOOL", env = "CACHE_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub cache_enabled: bool,
    /// A Sigstore trusted_root.json replacing the embedded public-good root.
    #[arg(long, value_name = "FILE", env = "NPM_SIGVERIFY_TRUSTED_ROOT")]
    pub trusted_root: Option<PathBuf>,
    /// The URL installers reach the gate at (tarball URLs point there; default: http:// and
    /// the request's Host).
    #[arg(long, value_name = "URL", env = "NPM_SIGVERIFY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Packuments verified at once.
    #[arg(
        long,
        value_name = "N",
        env = "VERIFICATION_CONCURRENCY",
        default_value_t = 8
    )]
    pub verification_concurrency: usize,
    /// Upstream requests at once within one verification (attestations, keys).
    #[arg(
        long,
        value_name = "N",
        env = "UPSTREAM_CONCURRENCY",
        default_value_t = 16
    )]
    pub upstream_concurrency: usize,
    /// A verified packument is used this long before the upstream is asked again.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "PACKUMENT_MAX_AGE",
        default_value_t = 60
    )]
    pub packument_max_age: u64,
    /// Verified packuments kept in memory at most.
    #[arg(
        long,
        value_name = "N",
        env = "PACKUMENT_MEMO_ENTRIES",
        default_value_t = 2000
    )]
    pub memo_entries: usize,
    /// The largest request body accepted (bytes; the verification API's lockfile).
    #[arg(long, value_name = "BYTES", env = "MAX_BODY_BYTES", default_value_t = 16 << 20)]
    pub max_body: usize,
    /// A request not answered within this many seconds gets 503.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "REQUEST_TIMEOUT",
        default_value_t = 60
    )]
    pub request_timeout: u64,
    /// Timeout of one upstream request, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "UPSTREAM_TIMEOUT",
        default_value_t = 60
    )]
    pub upstream_timeout: u64,
    /// How long SIGTERM waits for requests in flight, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "SHUTDOWN_GRACE",
        default_value_t = 20
    )]
    pub shutdown_grace: u64,
    /// The cosign-format key the verification API signs VSAs with (COSIGN_PASSWORD).
    #[arg(long, value_name = "KEY", env = "NPM_SIGVERIFY_VSA_KEY")]
    pub vsa_key: Option<PathBuf>,
}

/// Runs the gate until SIGTERM or Ctrl-C; exit 0 after a graceful shutdown, 2 when it cannot
/// start.
pub async fn run_serve(args: ServeArgs) -> i32 {
    let config = match config_of(args) {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    let outcome = match crate::embedded() {
        true => sigverify_serve::run(config, sigverify_serve::stop_requested()).await,
        false => sigverify_serve::run(config, sigverify_serve::shutdown_signal()).await,
    };
    match outcome {
        Ok(()) => 0,
        Err(e) => {
            let (code, fix) = match &e {
                sigverify_serve::ServeError::Config(v) => (v.code().to_string(), v.remediation()),
                sigverify_serve::ServeError::Listen { .. } => {
                    ("ELISTEN".into(), "choose a free --listen address".into())
                }
            };
            report(&CliError::new(&code, e.to_string(), &fix))
        }
    }
}

fn report(e: &CliError) -> i32 {
    eprintln!(
        "npm-sigverify: {} ({})\n  fix: {}",
        e.message, e.code, e.remediation
    );
    crate::EXIT_USAGE
}

fn config_of(args: ServeArgs) -> Result<ServeConfig, CliError> {
    let usage = |why: String| CliError::new("EUSAGE", why, "see `npm-sigverify serve --help`");
    let upstream = parse_registry(&args.upstream).map_err(usage)?;
    let mut config = ServeConfig::new(args.listen, upstream);
    config.ops_listen = args.ops_listen;
    config.scopes = args.scopes.into_iter().collect();
    config.npmrc = args.npmrc;
    config.upstream_token = std::env::var("NPM_SIGVERIFY_UPSTREAM_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    config.policy = args.policy;
    config.named_policies = args.named_policies.into_iter().collect();
    config.environment = args.env;
    config.cache = match args.cache_enabled {
        true => args.cache,
        false => Some("off".into()),
    };
    config.trusted_root = args.trusted_root;
    config.public_url = match args.public_url {
        Some(url) => Some(parse_registry(&url).map_err(usage)?),
        None => None,
    };
    config.verification_concurrency = args.verification_concurrency.max(1);
    config.upstream_concurrency = args.upstream_concurrency.max(1);
    config.packument_max_age = Duration::from_secs(args.packument_max_age);
    config.memo_entries = args.memo_entries.max(1);
    config.max_body = args.max_body;
    config.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    config.upstream_timeout = Duration::from_secs(args.upstream_timeout.max(1));
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace);
    config.vsa_key = args.vsa_key;
    Ok(config)
}

/// Examples and exit codes of `serve --help`.
pub const SERVE_HELP: &str = "\
Examples:
  npm-sigverify serve --listen 0.0.0.0:8080 --upstream https://registry.npmjs.org/ --policy policy.yaml
  npm-sigverify serve --scope @acme=https://npm.acme.example/ --npmrc upstream.npmrc --cache redis://redis:6379/0
  npm config set registry http://127.0.0.1:8080/     # then install as usual, with any manager

Tokens for the upstreams come from the environment (NPM_SIGVERIFY_UPSTREAM_TOKEN, or ${VAR} in
--npmrc) and are never logged. NPM_SIGVERIFY_CACHE_KEY authenticates the cache; only then are
verdicts shared between replicas.

Exit codes: 0 stopped by SIGTERM or Ctrl-C after draining requests in flight, 2 usage or
configuration error (flag, policy, trusted root, cache that cannot be opened, VSA key, address
in use).";
