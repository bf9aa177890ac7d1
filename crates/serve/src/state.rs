//! What every request of a replica shares.

use std::sync::Arc;

use sigverify_core::Gate;
use tokio::sync::Semaphore;

use crate::config::ServeConfig;
use crate::log::Logger;
use crate::memo::Memo;
use crate::metrics::Metrics;

/// A replica's shared state: the verifier, judged packuments, metrics, logs.
pub struct State {
    /// The configuration it started with.
    pub config: ServeConfig,
    /// The verifier (policy, trust material, shared cache).
    pub gate: Gate,
    /// Judged packuments.
    pub memo: Memo,
    /// Bounds verifications at once (`VERIFICATION_CONCURRENCY`).
    pub verifications: Semaphore,
    /// Metrics.
    pub metrics: Metrics,
    /// Logs.
    pub log: Logger,
    /// The key VSAs are signed with.
    pub vsa_key: Option<sigverify_cosign::PrivateKey>,
}

impl State {
    /// Opens the verifier and everything around it.
    pub async fn open(config: ServeConfig) -> Result<Arc<State>, sigverify_core::VerifyError> {
        let options = config.verify_options(config.policy.as_ref())?;
        let gate = Gate::open(&options).await?;
        let log = Logger::new(gate.redactor());
        let vsa_key = match &config.vsa_key {
            Some(path) => Some(load_vsa_key(path)?),
            None => None,
        };
        Ok(Arc::new(State {
            memo: Memo::new(config.memo_entries, config.packument_max_age),
            verifications: Semaphore::new(config.verification_concurrency.max(1)),
            metrics: Metrics::default(),
            log,
            vsa_key,
            gate,
            config,
        }))
    }

    /// The URL installers reach the gate at, ending in `/`: `--public-url`, else the request's
    /// `Host` over http.
    pub fn public_base(&self, host: Option<&str>) -> String {
        if let Some(url) = &self.config.public_url {
            return url.to_string();
        }
        let fallback = self.config.listen.to_string();
        let host = host
            .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or(&fallback);
        format!("http://{host}/")
    }

    /// The host name installers reach the gate at (no port).
    pub fn public_host(&self, host: Option<&str>) -> String {
        let base = self.public_base(host);
        url::Url::parse(&base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Reads the cosign-format VSA key (password from `COSIGN_PASSWORD`).
fn load_vsa_key(
    path: &std::path::Path,
) -> Result<sigverify_cosign::PrivateKey, sigverify_core::VerifyError> {
    let fail = |e: sigverify_cosign::KeyError| {
        sigverify_core::VerifyError::Usage(format!("--vsa-key {}: {e}", path.display()))
    };
    let password = sigverify_cosign::keys::read_password(false).map_err(fail)?;
    sigverify_cosign::keys::load_private_key(path, password.as_bytes()).map_err(fail)
}
