//! Prometheus metrics in the text exposition format (0.0.4): counters, a gauge and histograms,
//! kept in memory per replica (Prometheus sums replicas).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Bucket bounds in seconds, shared by both histograms (upstream requests take milliseconds
/// to seconds; verifications of large packuments up to tens of seconds).
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// Every metric of a replica.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    verdicts: Mutex<BTreeMap<(String, String), u64>>,
    refusals: Mutex<BTreeMap<(String, String), u64>>,
    aborts: Mutex<BTreeMap<String, u64>>,
    upstream: Mutex<BTreeMap<String, Histogram>>,
    verification: Mutex<Histogram>,
    in_flight: AtomicI64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .expect("no panics under the lock")
        .entry(key)
        .or_default() += 1;
}

impl Metrics {
    /// A request answered on `route` with `status`.
    pub fn request(&self, route: &str, status: u16) {
        bump(&self.requests, (route.to_string(), status));
    }

    /// One version decided: `outcome` pass / warn / fail, `code` its failing code or `none`.
    pub fn verdict(&self, outcome: &str, code: &str) {
        bump(&self.verdicts, (outcome.to_string(), code.to_string()));
    }

    /// A version kept from an installer: removed from a packument, or its tarball refused.
    pub fn refusal(&self, kind: &str, code: &str) {
        bump(&self.refusals, (kind.to_string(), code.to_string()));
    }

    /// A tarball response aborted mid-stream (bytes not the signed ones, upstream cut).
    pub fn abort(&self, code: &str) {
        bump(&self.aborts, code.to_string());
    }

    /// One upstream request of `kind` (packument, tarball, keys, other) that took `took`.
    pub fn upstream(&self, kind: &str, took: Duration) {
        let mut upstream = self.upstream.lock().expect("no panics under the lock");
        upstream
            .entry(kind.to_string())
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// One packument verification that took `took`.
    pub fn verification(&self, took: Duration) {
        let mut histogram = self.verification.lock().expect("no panics under the lock");
        histogram.observe(took.as_secs_f64());
    }

    /// A request started; the guard ends it.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// The exposition text; `cache` is (hits, misses) of the shared cache.
    pub fn render(&self, cache: (u64, u64)) -> String {
        let mut out = String::new();
        self.render_counters(&mut out);
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        header(
            &mut out,
            "sigverify_http_in_flight_requests",
            "gauge",
            "requests being answered",
        );
        let _ = writeln!(out, "sigverify_http_in_flight_requests {in_flight}");
        render_cache(&mut out, cache);
        let name = "sigverify_upstream_request_duration_seconds";
        header(
            &mut out,
            name,
            "histogram",
            "upstream registry requests, by kind",
        );
        for (kind, h) in self
            .upstream
            .lock()
            .expect("no panics under the lock")
            .iter()
        {
            render_histogram(&mut out, name, &format!("kind=\"{kind}\""), h);
        }
        let name = "sigverify_verification_duration_seconds";
        header(
            &mut out,
            name,
            "histogram",
            "packument verifications (every version judged)",
        );
        render_histogram(
            &mut out,
            name,
            "",
            &self.verification.lock().expect("no panics"),
        );
        out
    }

    fn render_counters(&self, out: &mut String) {
        let name = "sigverify_http_requests_total";
        header(
            out,
            name,
            "counter",
            "requests answered, by route and status",
        );
        for ((route, status), n) in self.requests.lock().expect("no panics").iter() {
            let _ = writeln!(out, "{name}{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        let name = "sigverify_verdicts_total";
        header(
            out,
            name,
            "counter",
            "versions decided, by outcome and code",
        );
        for ((outcome, code), n) in self.verdicts.lock().expect("no panics").iter() {
            let _ = writeln!(out, "{name}{{outcome=\"{outcome}\",code=\"{code}\"}} {n}");
        }
        let name = "sigverify_refusals_total";
        header(
            out,
            name,
            "counter",
            "versions kept from installers, by kind and code",
        );
        for ((kind, code), n) in self.refusals.lock().expect("no panics").iter() {
            let _ = writeln!(out, "{name}{{kind=\"{kind}\",code=\"{code}\"}} {n}");
        }
        let name = "sigverify_tarball_aborts_total";
        header(
            out,
            name,
            "counter",
            "tarball responses aborted mid-stream, by code",
        );
        for (code, n) in self.aborts.lock().expect("no panics").iter() {
            let _ = writeln!(out, "{name}{{code=\"{code}\"}} {n}");
        }
    }
}

/// Ends an in-flight request when dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn render_cache(out: &mut String, (hits, misses): (u64, u64)) {
    let name = "sigverify_cache_lookups_total";
    header(out, name, "counter", "shared cache lookups, by result");
    let _ = writeln!(
        out,
        "{name}{{result=\"hit\"}} {hits}\n{name}{{result=\"miss\"}} {misses}"
    );
    let ratio = match hits + misses {
        0 => 0.0,
        total => hits as f64 / total as f64,
    };
    let name = "sigverify_cache_hit_ratio";
    header(
        out,
        name,
        "gauge",
        "shared cache hits over lookups since start",
    );
    let _ = writeln!(out, "{name} {ratio}");
}

fn render_histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", h.count);
    let braces = if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    };
    let _ = writeln!(out, "{name}_sum{braces} {}", h.sum);
    let _ = writeln!(out, "{name}_count{braces} {}", h.count);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_cumulative_buckets_and_labels() {
        let m = Metrics::default();
        m.request("packument", 200);
        m.request("packument", 200);
        m.verdict("fail", "EINTEGRITYSIGNATURE");
        m.upstream("tarball", Duration::from_millis(30));
        m.verification(Duration::from_millis(7));
        let _guard = m.start();
        let text = m.render((3, 1));
        assert!(
            text.contains("sigverify_http_requests_total{route=\"packument\",status=\"200\"} 2")
        );
        assert!(text
            .contains("sigverify_verdicts_total{outcome=\"fail\",code=\"EINTEGRITYSIGNATURE\"} 1"));
        assert!(text.contains(
            "sigverify_upstream_request_duration_seconds_bucket{kind=\"tarball\",le=\"0.025\"} 0"
        ));
        assert!(text.contains(
            "sigverify_upstream_request_duration_seconds_bucket{kind=\"tarball\",le=\"0.05\"} 1"
        ));
        assert!(text.contains("sigverify_verification_duration_seconds_bucket{le=\"+Inf\"} 1"));
        assert!(text.contains("sigverify_http_in_flight_requests 1"));
        assert!(text.contains("sigverify_cache_hit_ratio 0.75"));
    }
}
