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
    assert!(html.contains("<li>attestation https://slsa.dev/provenance/v1 invalid EATTESTATIONVERIFY ESIGNATURE, built from https://github.com/evil/repo, log index 42: signature &lt;does not&gt; verify</li>"));
    assert!(html
        .contains("<li>registry-signature FAILED EINTEGRITYSIGNATURE: signature &lt;bad&gt;</li>"));
    assert!(html.contains("vendored &lt;until&gt; the fix &amp; lands"));
}

/// The cell that leads a row: the decision badge, then the verifier's status.
fn verdicts<'a>(html: &'a str, package: &str) -> &'a str {
    let at = html
        .find(&format!("<td class=\"pkg\">{package}</td>"))
        .unwrap();
    let row = html[..at].rfind("<tr class=\"row\"").unwrap();
    &html[row..at]
}

#[test]
fn each_row_leads_with_the_policy_decision() {
    let html = hostile_html();
    // Verified by the verifier, failed by the policy: the fail badge, the status beside it.
    let trojan = verdicts(&html, "trojan@2.0.0");
    assert_eq!(
        trojan,
        "<tr class=\"row\" data-status=\"verified\" data-decision=\"fail\"><td class=\"verdicts\"><span class=\"badge fail\" title=\"policy decision\">fail</span> <span class=\"status verified\" title=\"verifier status\">verified</span></td>"
    );
    assert!(
        !trojan.contains("badge verified"),
        "no green verified badge on a failed row"
    );
    let row = &html[html.find("<td class=\"pkg\">trojan@2.0.0</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<abbr title=\"provenance required but absent\">EPROVENANCEREQUIRED</abbr>"),
        "{row}"
    );
    assert!(
        row.contains(
            "<p class=\"why\">trojan@2.0.0 has no provenance and the rule requires it</p>"
        ),
        "{row}"
    );
    assert!(row.contains("<b>Rule:</b> trojan"), "{row}");
    assert!(row.contains("<b>Policy:</b> add an exception"), "{row}");
    // Warned: the warn badge, the expired exception.
    let isaacs = verdicts(&html, "@isaacs/namespace-test@1.0.0");
    assert!(isaacs.contains("<span class=\"badge warn\""), "{isaacs}");
    assert!(html.contains("<b>Exception</b> @isaacs/namespace-test@1 expired (expires 2026-01-01)"));
    // Passed: the pass badge.
    assert!(verdicts(&html, "widget@1.2.3").contains("<span class=\"badge pass\""));
}

#[test]
fn verified_provenance_shows_its_repository() {
    let html = hostile_html();
    let row = &html[html.find("<td class=\"pkg\">widget@1.2.3</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<p class=\"prov\"><b>Provenance:</b> built from <span class=\"repo\">https://github.com/acme/widget</span> at refs/tags/v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567) by .github/workflows/release.yml@refs/tags/v1.2.3, issuer https://token.actions.githubusercontent.com, repository id 123456789, owner id 4242</p>"), "{row}");
    assert!(
        row.contains("key SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U"),
        "{row}"
    );
}

#[test]
fn long_unbroken_strings_cannot_widen_the_table() {
    let html = hostile_html();
    assert!(html.contains("table-layout: fixed"));
    assert!(html.contains("overflow-wrap: anywhere"));
    let css = include_str!("../assets/report.css");
    let cells = css.lines().find(|l| l.starts_with("th, td {")).unwrap();
    assert!(cells.contains("overflow-wrap: anywhere") && cells.contains("word-break: break-word"));
}

#[test]
fn failures_come_first_with_explanation_and_fix() {
    let html = hostile_html();
    let first_row = html.find("<tr class=\"row\"").unwrap();
    assert!(html[first_row..]
        .starts_with("<tr class=\"row\" data-status=\"invalid\" data-decision=\"fail\">"));
    assert!(html.contains("<p class=\"why\">unsigned-pkg@1.0.0 has no registry signature</p><p class=\"fix\"><b>Fix:</b>"));
    assert!(html.contains(
        "<div class=\"card fail\" id=\"count-fail\"><span class=\"n\">3</span>fail</div>"
    ));
    assert_eq!(html.matches("<tr class=\"row\"").count(), 20);
    let decisions: Vec<&str> = html
        .split("<tr class=\"row\" ")
        .skip(1)
        .map(|r| {
            r.split("data-decision=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(&decisions[..5], ["fail", "fail", "fail", "warn", "pass"]);
}

/// Headless Chromium: a screenshot to look at, and the DOM after the `#filter=` hook ran.
/// Chromium is required: a missing one fails the test with the command that installs it,
/// unless SIGVERIFY_SKIP_CHROMIUM is set (an explicit, announced skip).
#[test]
fn chromium_renders_and_filters() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var_os("SIGVERIFY_SKIP_CHROMIUM").is_some(),
            "Chromium is not installed: install it (Debian/Ubuntu: `sudo apt-get install chromium`), or set SIGVERIFY_SKIP_CHROMIUM=1 to skip the browser tests knowingly"
        );
        eprintln!("SKIPPED (SIGVERIFY_SKIP_CHROMIUM is set): Chromium browser test");
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
        ("invalid", vec!["invalid"], "1 of 20 packages shown"),
        (
            "fail",
            vec!["invalid", "verified", "missing"],
            "3 of 20 packages shown",
        ),
        ("skipped", vec!["skipped"; 4], "4 of 20 packages shown"),
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
    assert_eq!(visible_rows(&dom).len(), 20, "no filter shows every row");
}

/// Long unbroken strings (a base64 blob in a message, a long name and location) wrap inside
/// their columns: the page is no wider than the window. The width is read back from the DOM by
/// a measuring script added to a copy of the page.
#[test]
fn chromium_keeps_long_strings_inside_the_window() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var_os("SIGVERIFY_SKIP_CHROMIUM").is_some(),
            "Chromium is not installed: install it (Debian/Ubuntu: `sudo apt-get install chromium`), or set SIGVERIFY_SKIP_CHROMIUM=1 to skip the browser tests knowingly"
        );
        eprintln!("SKIPPED (SIGVERIFY_SKIP_CHROMIUM is set): Chromium layout test");
        return;
    };
    let blob = "QUJD".repeat(200);
    let mut core = common::hostile_core();
    let evil = (core.packages.iter_mut())
        .find(|p| p.name == common::HOSTILE_NAME)
        .unwrap();
    evil.message = Some(format!("bad signature {blob}"));
    evil.name = format!("long-{}", "x".repeat(300));
    evil.location = format!("node_modules/{}", "y".repeat(300));
    let report = sigverify_reports::Report::from(&common::finish(core));
    let measure = "<script>document.title = 'width=' + document.documentElement.scrollWidth;</script>\n</body>";
    let html = render_html(&report, common::now()).replace("</body>", measure);
    let page = common::output("report-long.html");
    std::fs::write(&page, html).unwrap();
    let dom = run_chromium(
        &chromium,
        &["--dump-dom", "--window-size=1280,900"],
        &page,
        "",
    );
    let title = dom
        .split("<title>width=")
        .nth(1)
        .expect("the measuring script ran");
    let width: u32 = title[..title.find('<').unwrap()].parse().unwrap();
    assert!(width <= 1280, "page is {width}px wide in a 1280px window");
    assert!(dom.contains(&blob), "the blob is shown whole");
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
