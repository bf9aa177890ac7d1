//! The HTML page: self-contained, escaped, and filterable in a real browser.

mod common;

use std::path::Path;
use std::process::Command;

use sigverify_reports::render_html;

fn hostile_html() -> String {
    render_html(&common::hostile(), common::now())
}

/// Everything that could make a browser fetch something, found outside text content: in tags
/// (attributes) and in the inline `<style>` and `<script>` blocks.
fn fetchers_outside_text(html: &str) -> Vec<String> {
    const NEEDLES: [&str; 8] = [
        "http:", "https:", "ftp:", "://", "url(", "@import", " src=", " href=",
    ];
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start..];
        let end = block_end(after);
        let markup = after[..end].to_ascii_lowercase();
        found.extend(
            NEEDLES
                .iter()
                .filter(|n| markup.contains(*n))
                .map(|n| format!("{n} in {}", &after[..end.min(80)])),
        );
        rest = &after[end..];
    }
    found
}

/// Length of the tag at the start of `s`, or of the whole `<script>`/`<style>` element.
fn block_end(s: &str) -> usize {
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        if s.starts_with(open) {
            return s.find(close).map(|i| i + close.len()).unwrap_or(s.len());
        }
    }
    s.find('>').map(|i| i + 1).unwrap_or(s.len())
}

#[test]
fn page_loads_nothing_from_outside() {
    let html = hostile_html();
    assert_eq!(fetchers_outside_text(&html), Vec::<String>::new());
    // The hostile message's URL is there, as text.
    assert!(html.contains("http://evil.example/x"));
}

#[test]
fn url_scanner_catches_a_fetching_tag() {
    let html = hostile_html().replace("<footer>", "<footer><img src=\"https://x.example/a.png\">");
    assert_eq!(fetchers_outside_text(&html).len(), 3);
}

#[test]
fn hostile_strings_are_escaped() {
    let html = hostile_html();
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("alert(\"x"));
    assert!(html.contains(
        "@evil/&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;\\u{1}@1.0.0"
    ));
    assert!(html.contains("do not install &lt;b&gt;this&lt;/b&gt; &amp; pin"));
    assert!(!html.contains('\u{1}'));
    assert!(html.contains("<li>attestation https://slsa.dev/provenance/v1 invalid EATTESTATIONVERIFY, signed by https://github.com/evil/repo, log index 42</li>"));
}

#[test]
fn failures_come_first_with_explanation_and_fix() {
    let html = hostile_html();
    let first_row = html.find("<tr class=\"row\"").unwrap();
    assert!(html[first_row..]
        .starts_with("<tr class=\"row\" data-status=\"invalid\" data-decision=\"fail\">"));
    assert!(html.contains("<p class=\"why\">unsigned-pkg@1.0.0 has no registry signature</p><p class=\"fix\"><b>Fix:</b>"));
    assert!(html.contains(
        "<div class=\"card fail\" id=\"count-fail\"><span class=\"n\">2</span>fail</div>"
    ));
    assert_eq!(html.matches("<tr class=\"row\"").count(), 18);
}

/// Headless Chromium: a screenshot to look at, and the DOM after the `#filter=` hook ran.
/// Skipped with a notice when Chromium is absent, unless SIGVERIFY_REQUIRE_CHROMIUM is set
/// (tests/chromium.sh sets it after installing Chromium).
#[test]
fn chromium_renders_and_filters() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var_os("SIGVERIFY_REQUIRE_CHROMIUM").is_none(),
            "chromium required but not found"
        );
        eprintln!(
            "notice: chromium not installed: HTML browser test skipped (run tests/chromium.sh)"
        );
        return;
    };
    let page = common::output("report.html");
    std::fs::write(&page, hostile_html()).unwrap();
    let png = common::output("report.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &chromium,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,900",
        ],
        &page,
        "",
    );
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "screenshot too small"
    );
    let filtered = common::output("report-filtered.png");
    let shot = format!("--screenshot={}", filtered.display());
    run_chromium(
        &chromium,
        &[&shot, "--window-size=1280,600"],
        &page,
        "#filter=fail",
    );
    assert!(std::fs::metadata(&filtered).unwrap().len() > 10_000);
    for (filter, statuses, shown) in [
        ("invalid", vec!["invalid"], "1 of 18 packages shown"),
        ("fail", vec!["invalid", "missing"], "2 of 18 packages shown"),
        ("skipped", vec!["skipped"; 4], "4 of 18 packages shown"),
    ] {
        let dom = run_chromium(
            &chromium,
            &["--dump-dom"],
            &page,
            &format!("#filter={filter}"),
        );
        assert_eq!(visible_rows(&dom), statuses, "filter {filter}");
        assert!(
            dom.contains(shown),
            "filter {filter}: {shown} not in the DOM"
        );
        assert!(dom.contains(&format!("data-filter=\"{filter}\" aria-pressed=\"true\"")));
    }
    let dom = run_chromium(&chromium, &["--dump-dom"], &page, "");
    assert_eq!(visible_rows(&dom).len(), 18, "no filter shows every row");
}

fn find_chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .map(String::from)
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
}

fn run_chromium(chromium: &str, extra: &[&str], page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The `data-status` of each package row Chromium did not hide.
fn visible_rows(dom: &str) -> Vec<&str> {
    let mut statuses = Vec::new();
    for chunk in dom.split("<tr class=\"row\"").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        if !tag.contains("hidden") {
            let status = tag.split("data-status=\"").nth(1).unwrap();
            statuses.push(&status[..status.find('"').unwrap()]);
        }
    }
    statuses
}
