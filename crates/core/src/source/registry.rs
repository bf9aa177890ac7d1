//! The online evidence source: an HTTP client for npm registries.
//!
//! One keep-alive connection pool (HTTP/2 where the server offers it), per-request timeouts,
//! retries with jittered exponential backoff on network errors, timeouts, 429 and 5xx, and
//! credentials from `.npmrc` sent only to the host they were configured for.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use url::Url;

use crate::config::npmrc::NpmConfig;
use crate::config::HttpOptions;

/// The most a Content-Length header may make us reserve up front (a lying server's header must
/// not allocate for it; a larger body still reads, growing as it comes).
const MAX_PRESIZE: u64 = 64 * 1024 * 1024;
/// The most a response body may hold: the largest full packuments of the public registry are
/// ~100-200 MB; anything beyond this is a registry exhausting memory on purpose.
const MAX_BODY: usize = 512 * 1024 * 1024;

/// Abbreviated ("corgi") packuments: signatures and integrity, but no publish times.
pub const ACCEPT_CORGI: &str =
    "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
/// Full packuments: needed when a key can expire, to know when a version was published.
pub const ACCEPT_FULL: &str = "application/json";

/// HTTP cache validators of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// How long the registry says the answer stays fresh (`Cache-Control: max-age`; zero for
    /// `no-cache` / `no-store`), as HTTP caches and npm itself use it. Not sent in requests.
    pub fresh_for: Option<Duration>,
}

/// The freshness lifetime of a `Cache-Control` header value.
pub fn cache_control_max_age(value: &str) -> Option<Duration> {
    let directives = value.split(',').map(|d| d.trim().to_ascii_lowercase());
    let mut max_age = None;
    for directive in directives {
        if directive == "no-cache" || directive == "no-store" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = directive.strip_prefix("max-age=") {
            max_age = secs.trim_matches('"').parse().ok().map(Duration::from_secs);
        }
    }
    max_age
}

/// The answer to a (conditional) GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conditional {
    /// A body, with the validators to revalidate it next time.
    Body {
        bytes: Vec<u8>,
        validators: Validators,
        /// Its share of the client's body budget ([`BODY_BUDGET`]), given back when dropped:
        /// keep it until the body is no longer needed (a packument: until it is parsed).
        held: BodyShare,
    },
    /// 304: the cached copy is still current.
    NotModified,
    /// 404 (or 400).
    NotFound,
}

/// Why a request failed (after retries). Messages name the URL, never credentials.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    /// No answer within the per-request timeout.
    #[error("timed out after {timeout_ms} ms fetching {url}")]
    Timeout { url: String, timeout_ms: u64 },
    /// The registry answered with an error status.
    #[error("HTTP {status} fetching {url}")]
    Status { url: String, status: u16 },
    /// The connection failed.
    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },
    /// The body is larger than any registry document ([`MAX_BODY`]): a registry that would
    /// exhaust this process's memory.
    #[error("{url} answered more than {limit_mib} MiB, more than any registry document")]
    TooLarge { url: String, limit_mib: u64 },
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// `cafile` could not be read or parsed.
    #[error("cafile {path}: {reason}")]
    CaFile { path: String, reason: String },
    /// A configured proxy is not a valid URL.
    #[error("proxy '{0}' is not a valid URL")]
    Proxy(String),
    /// The TLS/HTTP stack refused the settings.
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// An HTTP client configured from npm settings.
#[derive(Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    /// Shared: a client is cloned for every package group of a run.
    config: Arc<NpmConfig>,
    options: HttpOptions,
    /// Documents answered without a request, by URL: a registry gate verifies exactly the
    /// packument bytes it serves, not a second download that could differ.
    pinned: Option<Arc<HashMap<String, Arc<Vec<u8>>>>>,
    /// The bytes of response bodies this client may hold at once, in KiB ([`BODY_BUDGET`]).
    budget: Arc<tokio::sync::Semaphore>,
    /// What the reader must know about how the client was built (an extra authorities file
    /// that could not be used).
    warning: Option<Arc<str>>,
}

/// A body's share of its client's budget ([`BODY_BUDGET`]), given back when the last clone is
/// dropped. Never part of what makes two answers equal.
#[derive(Debug, Clone, Default)]
pub struct BodyShare {
    /// Held only to be dropped.
    permit: Option<Arc<tokio::sync::OwnedSemaphorePermit>>,
}

impl BodyShare {
    /// The bytes this share covers.
    fn bytes(&self) -> usize {
        self.permit.as_ref().map_or(0, |p| p.num_permits() * 1024)
    }

    /// The permit itself, when this is its only holder (a share being read is never cloned).
    fn into_permit(self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permit.and_then(|p| Arc::try_unwrap(p).ok())
    }
}

impl PartialEq for BodyShare {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for BodyShare {}

/// The response bodies a client holds at once, at most (KiB): a body waits for its share
/// (its Content-Length, or the whole budget when larger) before it is read. A cold run fetches
/// 32 packuments at a time, and a few are 5-10 MB (typescript, @types/node, react-dom): when
/// they came together they were over 20 MB of a run's heap. Small bodies are never held up
/// for long: a share is given back as soon as its packument is parsed. 8 MiB since the
/// installed files are compared while the packuments are fetched (12 before).
pub const BODY_BUDGET: u32 = 8 * 1024;

impl RegistryClient {
    /// Builds a client honouring `strict-ssl`, `cafile`, `proxy`/`https-proxy` (environment
    /// proxies `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` are honoured too) and, as Node does for
    /// npm, the extra authorities of `NODE_EXTRA_CA_CERTS`.
    pub fn new(config: NpmConfig, options: HttpOptions) -> Result<RegistryClient, ClientError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("npm-sigverify/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(64)
            .redirect(redirect_policy())
            .gzip(true);
        if !config.strict_ssl() {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let mut warning = None;
        match config.cafile() {
            // Like npm's `ca`/`cafile`: trust exactly these authorities, not the defaults (nor
            // NODE_EXTRA_CA_CERTS, which Node adds to the defaults).
            Some(path) => builder = builder.tls_certs_only(read_cafile(&path)?),
            None => match extra_ca_certs(std::env::var_os(EXTRA_CA_CERTS)) {
                Ok(extra) => builder = builder.tls_certs_merge(extra),
                Err(why) => warning = Some(Arc::from(why)),
            },
        }
        if let Some(proxy) = config.get("https-proxy").or_else(|| config.get("proxy")) {
            let proxy = reqwest::Proxy::all(proxy).map_err(|_| ClientError::Proxy(proxy.into()))?;
            builder = builder.proxy(proxy);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(RegistryClient {
            http,
            config: Arc::new(config),
            options,
            pinned: None,
            budget: Arc::new(tokio::sync::Semaphore::new(BODY_BUDGET as usize)),
            warning,
        })
    }

    /// Why the client trusts less than it was asked to, if it does (an `NODE_EXTRA_CA_CERTS`
    /// file that could not be read or holds no certificate: ignored, as Node ignores it).
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// A client that answers GETs of `url` with `bytes` (and asks the network for the rest).
    pub fn pinning(&self, url: &Url, bytes: Arc<Vec<u8>>) -> RegistryClient {
        let mut pinned = self.pinned.as_deref().cloned().unwrap_or_default();
        pinned.insert(url.to_string(), bytes);
        RegistryClient {
            pinned: Some(Arc::new(pinned)),
            ..self.clone()
        }
    }

    /// The KiB of the body budget ([`BODY_BUDGET`]) no body holds now.
    pub fn budget_free_kib(&self) -> usize {
        self.budget.available_permits()
    }

    /// The npm configuration the client was built from.
    pub fn config(&self) -> &NpmConfig {
        &self.config
    }

    /// Sends a GET and returns the response as soon as its headers arrive, for a body to be
    /// streamed by the caller. `authorization` is the caller's credential, sent only when the
    /// configuration has none for this URL; `validators` make it conditional. Network errors, timeouts before the headers, 429
    /// and 5xx are retried like [`Self::get`]; other statuses are the caller's to handle.
    pub async fn open(
        &self,
        url: &Url,
        accept: &str,
        authorization: Option<&str>,
        validators: &Validators,
    ) -> Result<reqwest::Response, FetchError> {
        let mut attempt = 0;
        loop {
            let result = self.send_once(url, accept, authorization, validators).await;
            let retry = match &result {
                Ok(r) => r.status().as_u16() == 429 || r.status().is_server_error(),
                Err(e) => is_retryable(e),
            };
            if !retry || attempt >= self.options.retries {
                return match result {
                    Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => {
                        let status = r.status().as_u16();
                        Err(FetchError::Status {
                            url: url.to_string(),
                            status,
                        })
                    }
                    other => other,
                };
            }
            tokio::time::sleep(self.backoff(attempt)).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        url: &Url,
        accept: &str,
        authorization: Option<&str>,
        validators: &Validators,
    ) -> Result<reqwest::Response, FetchError> {
        // The caller streams the body: the timeout bounds the whole response.
        let request = self.request(url, accept, authorization, validators);
        let request = request.timeout(self.options.timeout);
        request.send().await.map_err(|e| self.to_error(url, e))
    }

    /// A GET of `url` with the configured credential for it (else `authorization`, the
    /// caller's) and `validators` as conditions.
    fn request(
        &self,
        url: &Url,
        accept: &str,
        authorization: Option<&str>,
        validators: &Validators,
    ) -> reqwest::RequestBuilder {
        let mut request = self.http.get(url.clone()).header("accept", accept);
        let configured = self.config.authorization_for(url);
        if let Some(auth) = configured.as_deref().or(authorization) {
            request = request.header("authorization", auth);
        }
        if let Some(etag) = &validators.etag {
            request = request.header("if-none-match", etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header("if-modified-since", modified);
        }
        request
    }

    /// GETs a URL; `Ok(None)` when the registry answers 404 (or 400, like npm for keys).
    pub async fn get(&self, url: &Url, accept: &str) -> Result<Option<Vec<u8>>, FetchError> {
        match self
            .get_conditional(url, accept, &Validators::default())
            .await?
        {
            Conditional::Body { bytes, .. } => Ok(Some(bytes)),
            Conditional::NotFound | Conditional::NotModified => Ok(None),
        }
    }

    /// GETs a URL, revalidating a cached copy with its ETag / Last-Modified when given.
    pub async fn get_conditional(
        &self,
        url: &Url,
        accept: &str,
        validators: &Validators,
    ) -> Result<Conditional, FetchError> {
        let mut attempt = 0;
        loop {
            match self.attempt(url, accept, validators).await {
                Err(e) if attempt < self.options.retries && is_retryable(&e) => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn attempt(
        &self,
        url: &Url,
        accept: &str,
        validators: &Validators,
    ) -> Result<Conditional, FetchError> {
        if let Some(bytes) = self.pinned.as_ref().and_then(|p| p.get(url.as_str())) {
            return Ok(Conditional::Body {
                bytes: bytes.to_vec(),
                validators: Validators::default(),
                held: BodyShare::default(),
            });
        }
        let request = self.request(url, accept, None, validators);
        let response = self.timed(url, request.send()).await?;
        let status = response.status().as_u16();
        if status == 304 {
            // Only a conditional request can be answered "not modified": to any other it says
            // nothing (read as "no document", it made a registry's keys "none").
            return match validators.etag.is_some() || validators.last_modified.is_some() {
                true => Ok(Conditional::NotModified),
                false => Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                }),
            };
        }
        if status == 404 || status == 400 {
            return Ok(Conditional::NotFound);
        }
        if !(200..300).contains(&status) {
            let url = url.to_string();
            return Err(FetchError::Status { url, status });
        }
        let header = |name: &str| {
            let value = response.headers().get(name)?;
            value.to_str().ok().map(str::to_string)
        };
        let fresh = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
            fresh_for: header("cache-control").and_then(|v| cache_control_max_age(&v)),
        };
        let (bytes, held) = self.read_body(url, response).await?;
        Ok(Conditional::Body {
            bytes,
            validators: fresh,
            held,
        })
    }

    /// Reads a response's body within the budget ([`BODY_BUDGET`]) and the per-request timeout,
    /// up to [`MAX_BODY`]; the share it holds is given back when the returned one is dropped.
    pub async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<(Vec<u8>, BodyShare), FetchError> {
        // Read straight into one buffer sized from Content-Length: collecting into `Bytes`
        // and copying out held every body twice (the copies of the largest packuments, 10 MB
        // and more, were the top of a cold run's heap).
        let announced = response.content_length().unwrap_or(0).min(MAX_PRESIZE);
        // The wait for the body's share is this process's own queue, not the registry's
        // slowness: the timeout bounds the headers and, once the share is in, the body.
        let mut held = self.hold(announced).await;
        let mut bytes = Vec::with_capacity(announced as usize);
        // The share counts the bytes read (decoded), not the ones announced: a compressed or
        // chunked body announces little, and a registry could send endless ones. A body that
        // outgrows its share takes more ([`Self::grow`]); the time it waits for it is this
        // process's queue, so the deadline moves by that much.
        let mut deadline = tokio::time::Instant::now() + self.options.timeout;
        loop {
            let chunk = match tokio::time::timeout_at(deadline, response.chunk()).await {
                Ok(chunk) => chunk.map_err(|e| self.to_error(url, e))?,
                Err(_) => {
                    return Err(FetchError::Timeout {
                        url: url.to_string(),
                        timeout_ms: self.options.timeout.as_millis() as u64,
                    })
                }
            };
            let Some(chunk) = chunk else {
                break;
            };
            let needed = bytes.len() + chunk.len();
            if needed > MAX_BODY {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit_mib: (MAX_BODY >> 20) as u64,
                });
            }
            if needed > held.bytes() {
                let waiting = tokio::time::Instant::now();
                held = self.grow(held, needed).await;
                deadline += waiting.elapsed();
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((bytes, held))
    }

    /// Runs one step of a request within the per-request timeout.
    async fn timed<T>(
        &self,
        url: &Url,
        step: impl std::future::Future<Output = Result<T, reqwest::Error>>,
    ) -> Result<T, FetchError> {
        match tokio::time::timeout(self.options.timeout, step).await {
            Ok(done) => done.map_err(|e| self.to_error(url, e)),
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                timeout_ms: self.options.timeout.as_millis() as u64,
            }),
        }
    }

    /// Waits for a body's share of the budget (at least 1 KiB, at most all of it).
    async fn hold(&self, len: u64) -> BodyShare {
        let kib = len.div_ceil(1024).clamp(1, u64::from(BODY_BUDGET)) as u32;
        let permit = self.budget.clone().acquire_many_owned(kib).await.ok();
        BodyShare {
            permit: permit.map(Arc::new),
        }
    }

    /// A share of at least `needed` bytes (twice the old share when that is more, at most the
    /// whole budget: a body over the budget is read alone). Taken at once when the budget has
    /// it; otherwise the old share is given back before waiting for the new one, so no body
    /// holds part of the budget while it waits for more (two could wait for each other forever).
    async fn grow(&self, held: BodyShare, needed: usize) -> BodyShare {
        let whole = BODY_BUDGET as usize;
        let have = held.bytes() / 1024;
        let want = needed.div_ceil(1024).max(2 * have).clamp(1, whole);
        if want <= have {
            return held;
        }
        if let Ok(more) = self
            .budget
            .clone()
            .try_acquire_many_owned((want - have) as u32)
        {
            let mut permit = held.into_permit();
            match permit.as_mut() {
                Some(permit) => permit.merge(more),
                None => permit = Some(more),
            }
            return BodyShare {
                permit: permit.map(Arc::new),
            };
        }
        drop(held);
        self.hold(want as u64 * 1024).await
    }

    fn to_error(&self, url: &Url, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            let timeout_ms = self.options.timeout.as_millis() as u64;
            return FetchError::Timeout { url, timeout_ms };
        }
        FetchError::Network {
            url,
            reason: root_cause(&e),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.options.backoff.as_millis() as u64 * (1u64 << attempt.min(6));
        let jitter = rand::rng().random_range(0..=base / 2 + 1);
        Duration::from_millis(base + jitter)
    }
}

/// Redirects are followed inside the first URL's origin and at most one hop out of it.
/// reqwest puts the request's headers back on every hop and drops credentials only on a hop
/// whose origin differs from the one before, so a second hop inside another origin would carry
/// the registry token there; npm sends no credential to another host either.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let previous = attempt.previous();
        let left = previous
            .iter()
            .any(|url| url.origin() != previous[0].origin());
        if previous.len() > 10 {
            attempt.error("too many redirects")
        } else if left {
            attempt.error("redirected again after leaving the registry's host (credentials are never followed there)")
        } else {
            attempt.follow()
        }
    })
}

fn is_retryable(e: &FetchError) -> bool {
    match e {
        FetchError::Status { status, .. } => *status == 429 || *status >= 500,
        FetchError::Timeout { .. } | FetchError::Network { .. } => true,
        FetchError::TooLarge { .. } => false,
    }
}

/// The innermost error message (reqwest wraps hyper wraps io), without the URL.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The variable Node reads extra certificate authorities from (a PEM file), which npm's TLS
/// therefore trusts besides the default ones.
const EXTRA_CA_CERTS: &str = "NODE_EXTRA_CA_CERTS";

/// The authorities of `NODE_EXTRA_CA_CERTS` (`value`), to add to the default ones as Node adds
/// them to its own: none when it is unset or empty; a file that cannot be read or holds no
/// certificate is ignored, as Node ignores it, with the reason to tell the reader.
fn extra_ca_certs(value: Option<std::ffi::OsString>) -> Result<Vec<reqwest::Certificate>, String> {
    let Some(path) = value.filter(|v| !v.is_empty()) else {
        return Ok(Vec::new());
    };
    let path = std::path::PathBuf::from(path);
    let ignored = |why: String| {
        format!(
            "{EXTRA_CA_CERTS} names {}, which was ignored ({why}): its authorities are not trusted; fix the file or unset the variable",
            path.display()
        )
    };
    read_pem_bundle(&path).map_err(ignored)
}

/// The certificates of a PEM file; why not when it cannot be read or holds none.
fn read_pem_bundle(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string())?;
    match certs.is_empty() {
        true => Err("no certificate in file".into()),
        false => Ok(certs),
    }
}

fn read_cafile(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ClientError> {
    read_pem_bundle(path).map_err(|reason| ClientError::CaFile {
        path: path.display().to_string(),
        reason,
    })
}

#[cfg(test)]
mod extra_ca_tests {
    use super::*;

    /// A self-signed P-256 CA certificate (openssl, valid until 2126).
    const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBmDCCAT2gAwIBAgIUJHTHg550oCjpiyv9Sv1lLWuDT3swCgYIKoZIzj0EAwIw\nIDEeMBwGA1UEAwwVbnBtLXNpZ3ZlcmlmeSB0ZXN0IENBMCAXDTI2MTIwNjA2NTgw\nM1oYDzIxMjYxMTEyMDY1ODAzWjAgMR4wHAYDVQQDDBVucG0tc2lndmVyaWZ5IHRl\nc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATNVT8nm9O02AXfG3htg4df\nX7+fRs0RpzPQvT9crgpec3I17X34QyT1o8SxdiFXzvtZUPDigcggEqquaROSTxoF\no1MwUTAdBgNVHQ4EFgQU7CWkZvVMiwzDf1i+BcBCczR9UiEwHwYDVR0jBBgwFoAU\n7CWkZvVMiwzDf1i+BcBCczR9UiEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\nAgNJADBGAiEAgYps5czDI3oeETjOx667npY+UZOxnkJRhLffA7+Bn94CIQDHN1rT\nMDQPr8iOnFImfr5+PScx3JyfODuysZC20dD0Aw==\n-----END CERTIFICATE-----\n";

    #[test]
    fn node_extra_ca_certs_adds_its_authorities_and_an_unusable_file_is_ignored_with_the_reason() {
        assert_eq!(extra_ca_certs(None).unwrap().len(), 0);
        assert_eq!(extra_ca_certs(Some("".into())).unwrap().len(), 0);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("extra.pem");
        std::fs::write(&file, format!("{CA}{CA}")).unwrap();
        assert_eq!(extra_ca_certs(Some(file.clone().into())).unwrap().len(), 2);
        let missing = dir.path().join("missing.pem");
        let why = extra_ca_certs(Some(missing.clone().into())).unwrap_err();
        assert!(why.starts_with("NODE_EXTRA_CA_CERTS names "), "{why}");
        assert!(why.contains(&missing.display().to_string()), "{why}");
        std::fs::write(&file, "not a certificate\n").unwrap();
        let why = extra_ca_certs(Some(file.into())).unwrap_err();
        assert!(why.contains("no certificate"), "{why}");
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[tokio::test]
    async fn a_body_waits_for_its_share_of_the_budget() {
        let config = NpmConfig::from_text("");
        let client = RegistryClient::new(config, HttpOptions::default()).unwrap();
        // More than the whole budget takes all of it (never waits forever).
        let big = client.hold(40 << 20).await;
        let small = client.hold(2048);
        tokio::pin!(small);
        let waited = tokio::time::timeout(Duration::from_millis(100), &mut small).await;
        assert!(
            waited.is_err(),
            "a body was read while the budget was spent"
        );
        drop(big);
        tokio::time::timeout(Duration::from_secs(5), small)
            .await
            .expect("the share is given back when the body is dropped");
    }
}
