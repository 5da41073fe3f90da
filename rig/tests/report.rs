//! `pumprig report` as a reviewer meets it: the page of a real (short) run with a golden-baseline
//! comparison and of a small sweep, opened in headless Chromium (Debian's `chromium`, installed by
//! `.ci/run`): every plot is an `<svg>` element with content, the checks table shows each check's
//! value and outcome as `record.json` has them, the page makes no network request (Chromium's net
//! log, checked against a page that does make some), and it prints to a multi-page A4 PDF.
//! Without Chromium on the machine the browser part prints "SKIPPED: ..." and passes, as
//! `qemu.rs` does for QEMU; the checks on the HTML itself run everywhere.

#[path = "support/cli.rs"]
mod cli;
use cli::{pumprig, scratch, text};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A 6-second single-shield expression session with three checks, the third failing (its
/// limit is below what the firmware holds), so the page shows both outcomes.
const RUN: &str = r#"name = "t-report"
description = "Short expression session for the report test <&>"
duration_s = 6.0

[plant.kit]
shields = 1

[controller.settings.program]
start_phase = "expression"

[[events]]
at_s = 0.2
press = "power"

[[checks]]
name = "peak vacuum within ±20 mmHg of 190"
metric = "peak_vacuum"
at = "left_nipple"
window_s = [2.0, 6.0]
min = 170.0
max = 210.0
unit = "mmHg"

[[checks]]
name = "cycle rate within ±5 of 54"
metric = "cycle_rate"
at = "left_nipple"
window_s = [2.0, 6.0]
min = 49.0
max = 59.0
unit = "cycles/min"

[[checks]]
name = "sensor port below 150 mmHg (fails on purpose)"
metric = "max_vacuum"
at = "sensor_port"
max = 150.0
unit = "mmHg"
"#;

/// The same session swept over 2 vacuums × 2 tunnel sizes: the 230 mmHg cases fail the fixed
/// peak-vacuum band.
fn sweep_scenario() -> String {
    let base = RUN
        .replace("name = \"t-report\"", "name = \"t-report-sweep\"")
        .replace("max = 150.0", "max = 275.0");
    format!(
        "{base}\n[sweep]\n\"controller.settings.expression.vacuum_mmhg\" = [190, 230]\n\
         \"plant.left.tunnel_diameter_mm\" = [24.0, 30.0]\n"
    )
}

/// A `baseline.json` as a `[baseline]` comparison writes it: one signal inside its tolerance,
/// one outside it with an overlay plot.
fn write_baseline_fixture(run: &Path) {
    fs::copy(
        run.join("zoom.svg"),
        run.join("baseline-vacuum_left_nipple_mmhg.svg"),
    )
    .unwrap();
    let b = serde_json::json!({
        "baseline_dir": "baselines/t-report",
        "pass": false,
        "signals": [
            {"signal": "vacuum_left_nipple_mmhg", "pass": false, "abs": 5.0, "rel": 0.02,
             "lag_ms": 20.0, "hold": false, "max_excess": 12.5, "at_s": 3.25, "run": 201.5,
             "baseline": 184.0, "tolerance": 5.0, "plot": "baseline-vacuum_left_nipple_mmhg.svg"},
            {"signal": "valve_open", "pass": true, "abs": 0.0, "rel": 0.0, "lag_ms": 10.0,
             "hold": true, "max_excess": 0.0, "at_s": null, "run": null, "baseline": null,
             "tolerance": 0.0, "plot": null}
        ]
    });
    fs::write(
        run.join("baseline.json"),
        serde_json::to_string_pretty(&b).unwrap(),
    )
    .unwrap();
}

fn svg_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    v.sort();
    v
}

/// A finished run directory with a baseline fixture, and a finished sweep directory, each with
/// its report written; returns (run dir, run report, sweep dir, sweep report).
fn fixtures(d: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let sc = d.join("run.toml");
    fs::write(&sc, RUN).unwrap();
    let run = d.join("run");
    let o = pumprig(&["run", sc.to_str().unwrap(), "--out", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "one check fails: {}", text(&o));
    write_baseline_fixture(&run);
    let o = pumprig(&["report", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let run_html = run.join("report.html");
    assert!(run_html.is_file(), "default: DIR/report.html");

    let sc = d.join("sweep.toml");
    fs::write(&sc, sweep_scenario()).unwrap();
    let sweep = d.join("sweep");
    let o = pumprig(&[
        "sweep",
        sc.to_str().unwrap(),
        "--out",
        sweep.to_str().unwrap(),
        "--plots",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let sweep_html = d.join("pages").join("sweep.html");
    let o = pumprig(&[
        "report",
        sweep.to_str().unwrap(),
        "--out",
        sweep_html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (run, run_html, sweep, sweep_html)
}

/// The HTML itself: nothing that could make a request.
fn assert_self_contained(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "http://", "https://", "<script", " src=", " href=", "url(", "@import", "<link", "<img",
        "<iframe",
    ] {
        assert!(!lower.contains(bad), "{what} contains {bad:?}");
    }
}

/// `(figure's data-file, its inline svg)` for every plot figure of a page (as written or as
/// Chromium serialised it).
fn figures(html: &str) -> Vec<(String, String)> {
    html.split("<figure class=\"plot\"")
        .skip(1)
        .map(|f| {
            let file = f
                .split("data-file=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_owned();
            let svg = f
                .split("</figure>")
                .next()
                .and_then(|f| f.find("<svg").map(|i| f[i..].to_owned()))
                .unwrap_or_default();
            (file, svg)
        })
        .collect()
}

/// Every plot in `dir` is a figure, once, with an `<svg>` that draws something.
fn assert_every_plot_shown(html: &str, dir: &Path, what: &str) {
    let figs = figures(html);
    let mut shown: Vec<String> = figs
        .iter()
        .map(|(f, _)| f.clone())
        .filter(|f| !f.starts_with("cases/"))
        .collect();
    shown.sort();
    assert_eq!(shown, svg_files(dir), "{what}: every plot, once");
    for (file, svg) in &figs {
        assert!(svg.contains("</svg>"), "{what}: {file} has a closed <svg>");
        assert!(
            svg.matches("<text").count() >= 3
                && (svg.contains("<polyline") || svg.contains("<path")),
            "{what}: {file}'s svg draws text and lines"
        );
        assert!(
            svg.contains("viewBox"),
            "{what}: {file} scales with its viewBox"
        );
    }
}

/// The cell texts of each body row of the first `<table class="CLASS">`.
fn table_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<table class=\"{class}\""))
        .unwrap_or_else(|| panic!("no table {class}"));
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    strip_tags(inner)
                })
                .collect()
        })
        .collect()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The checks table shows every check of `record.json`, in order, with its value (to the four
/// digits shown) and outcome.
fn assert_checks_table(html: &str, record: &Value) {
    let checks = record["checks"].as_array().unwrap();
    let rows = table_rows(html, "checks");
    assert_eq!(rows.len(), checks.len());
    for (row, c) in rows.iter().zip(checks) {
        assert_eq!(row[1], c["name"].as_str().unwrap());
        let shown: f64 = row[3].split_whitespace().next().unwrap().parse().unwrap();
        let value = c["value"].as_f64().unwrap();
        assert!(
            (shown - value).abs() <= 1e-3 * value.abs().max(1.0),
            "{}: shown {shown}, recorded {value}",
            row[1]
        );
        assert!(row[3].ends_with(c["unit"].as_str().unwrap()));
        let outcome = if c["pass"].as_bool().unwrap() {
            "PASS"
        } else {
            "FAIL"
        };
        assert_eq!(row[6], outcome, "{}", row[1]);
    }
}

#[test]
fn the_pages_are_self_contained_and_show_what_the_directories_hold() {
    let d = scratch("static");
    let (run, run_html, sweep, sweep_html) = fixtures(&d);
    let page = fs::read_to_string(&run_html).unwrap();
    assert_self_contained(&page, "run report");
    assert_every_plot_shown(&page, &run, "run report");
    let record: Value =
        serde_json::from_str(&fs::read_to_string(run.join("record.json")).unwrap()).unwrap();
    assert_checks_table(&page, &record);
    assert!(page.contains(record["controller"]["build_id"].as_str().unwrap()));
    assert!(page.contains("Short expression session for the report test &lt;&amp;&gt;"));
    let baseline = table_rows(&page, "baseline");
    assert_eq!(baseline.len(), 2);
    assert_eq!(baseline[0][0], "vacuum_left_nipple_mmhg");
    assert_eq!(baseline[0][1], "FAIL");
    assert_eq!(baseline[0][2], "12.5");
    assert_eq!(baseline[1][0], "valve_open (zero-order hold)");
    // The overlay plot sits in the baseline section, before the run's own plots.
    let overlay = page
        .find("data-file=\"baseline-vacuum_left_nipple_mmhg.svg\"")
        .unwrap();
    assert!(page.find("id=\"baseline\"").unwrap() < overlay);
    assert!(overlay < page.find("id=\"plots\"").unwrap());

    let page = fs::read_to_string(&sweep_html).unwrap();
    assert_self_contained(&page, "sweep report");
    assert_every_plot_shown(&page, &sweep, "sweep report");
    let files = svg_files(&sweep);
    assert!(files.contains(&"sweep-passfail.svg".to_owned()));
    assert!(files.iter().any(|f| f.starts_with("sweep-heatmap-c1-")));
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("sweep-c1-") && f.ends_with("-vs-vacuum_mmhg.svg"))
    );
    let rows = table_rows(&page, "summary");
    assert_eq!(rows.len(), 4);
    let failing: Vec<&Vec<String>> = rows.iter().filter(|r| r.contains(&"FAIL".into())).collect();
    assert_eq!(failing.len(), 2, "the 230 mmHg cases fail: {rows:?}");
    for r in failing {
        assert_eq!(r[1], "230");
        let id = r.last().unwrap();
        assert!(page.contains(&format!("<code>{id}</code>")));
        // The sweep kept its cases' plots (--plots): each failing case's vacuum is shown.
        let fig = format!("data-file=\"cases/{id}/vacuum.svg\"");
        assert_eq!(page.matches(&fig).count(), 1, "{fig}");
    }
    let case_figures = figures(&page)
        .into_iter()
        .filter(|(f, _)| f.starts_with("cases/"))
        .count();
    assert_eq!(case_figures, 2, "passing cases' plots are not shown");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_directory_that_is_not_a_run_sweep_or_comparison_is_bad_input_and_nothing_is_written() {
    let d = scratch("bad");
    for dir in [d.join("missing"), d.clone()] {
        let o = pumprig(&["report", dir.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains(dir.to_str().unwrap()),
            "names the directory"
        );
    }
    fs::write(d.join("record.json"), "{ not json").unwrap();
    let o = pumprig(&["report", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("record.json: not valid JSON"),
        "{}",
        text(&o)
    );
    assert!(!d.join("report.html").exists());
    fs::remove_dir_all(&d).unwrap();
}

// ---- Chromium ----

fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("PUMPRIG_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    p.is_file().then_some(p)
}

/// One headless Chromium launch on `page` with a fresh profile, every name resolving to nothing,
/// and its network log in `net_log`; `action` is `--dump-dom` or `--print-to-pdf=FILE`. A browser
/// that hangs is killed after two minutes by coreutils' `timeout` (a guard, not a measurement).
fn chromium_run(browser: &Path, work: &Path, page: &Path, net_log: &Path, action: &str) -> Output {
    let profile = work.join(format!(
        "profile-{}",
        net_log.file_stem().unwrap().to_string_lossy()
    ));
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(&profile).unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let o = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--window-size=1280,2000",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(action)
        .arg(&url)
        .output()
        .expect("chromium starts");
    assert!(o.status.success(), "chromium on {url}: {}", text(&o));
    o
}

/// URLs the page asked the network for: requests Chromium started on behalf of a page (their
/// initiator is an origin, `null` for a file page) other than `file:` and `data:`. Chromium's own
/// background requests (initiator "not an origin") are not the page's.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = fs::read_to_string(net_log).unwrap();
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("a net log Chromium finished or left open");
    let types = &log["constants"]["logEventTypes"];
    let start_job = types["URL_REQUEST_START_JOB"].as_u64().unwrap();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter_map(|e| {
            let p = &e["params"];
            let url = p["url"].as_str()?;
            let initiator = p["initiator"].as_str().unwrap_or("");
            (initiator != "not an origin" && !url.starts_with("file:") && !url.starts_with("data:"))
                .then(|| url.to_owned())
        })
        .collect()
}

#[test]
fn the_pages_in_headless_chromium_show_every_plot_and_check_and_fetch_nothing() {
    let Some(browser) = chromium() else {
        println!(
            "SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
        );
        return;
    };
    let d = scratch("chromium");
    let (run, run_html, sweep, sweep_html) = fixtures(&d);
    let record: Value =
        serde_json::from_str(&fs::read_to_string(run.join("record.json")).unwrap()).unwrap();

    // The run's page, as Chromium parsed it.
    let o = chromium_run(
        &browser,
        &d,
        &run_html,
        &d.join("net-run.json"),
        "--dump-dom",
    );
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        dom.contains("<h1>Run <code>t-report</code></h1>"),
        "{}",
        &dom[..dom.len().min(2000)]
    );
    assert_every_plot_shown(&dom, &run, "run page in Chromium");
    assert_checks_table(&dom, &record);
    assert_eq!(table_rows(&dom, "baseline").len(), 2);
    assert_eq!(page_requests(&d.join("net-run.json")), Vec::<String>::new());

    // The sweep's page.
    let o = chromium_run(
        &browser,
        &d,
        &sweep_html,
        &d.join("net-sweep.json"),
        "--dump-dom",
    );
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_every_plot_shown(&dom, &sweep, "sweep page in Chromium");
    assert_eq!(table_rows(&dom, "summary").len(), 4);
    assert_eq!(
        page_requests(&d.join("net-sweep.json")),
        Vec::<String>::new()
    );

    // The net-log check has teeth: a page with a remote style sheet and image is caught.
    let bad = d.join("remote.html");
    fs::write(
        &bad,
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://fonts.example.com/a.css\">\
         </head><body><img src=\"http://example.com/x.png\"><p>remote</p></body></html>",
    )
    .unwrap();
    chromium_run(&browser, &d, &bad, &d.join("net-remote.json"), "--dump-dom");
    let mut caught = page_requests(&d.join("net-remote.json"));
    caught.sort();
    assert_eq!(
        caught,
        [
            "http://example.com/x.png",
            "https://fonts.example.com/a.css"
        ]
    );

    // Printed to PDF: several A4 pages (the plots do not fit on one).
    let pdf = d.join("run.pdf");
    chromium_run(
        &browser,
        &d,
        &run_html,
        &d.join("net-pdf.json"),
        &format!("--print-to-pdf={}", pdf.display()),
    );
    let bytes = fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 3, "{pages} page(s)");
    // A4 is 595 × 842 points.
    assert!(text.contains("/MediaBox [0 0 594.9"), "A4 media box");
    fs::remove_dir_all(&d).unwrap();
}

/// A course directory (`pumprig run` on a `[course]`): its checks, its plot and the daily table.
#[test]
fn a_course_directory_reports_its_checks_plot_and_days() {
    let d = scratch("course");
    let scenario = d.join("course.toml");
    fs::write(
        &scenario,
        r#"
name = "feeds"
duration_s = 600.0
[plant.mother]
months_postpartum = 2
[course]
days = 2
[[course.sessions]]
at_h = [2.0, 8.0, 14.0, 20.0]
kind = "breastfeed"
[[course.checks]]
name = "a full supply"
metric = "mean_daily_volume"
min = 300.0
unit = "mL/day"
[[course.checks]]
name = "an impossible supply"
metric = "final_daily_volume"
min = 5000.0
unit = "mL/day"
"#,
    )
    .unwrap();
    let run = d.join("run");
    let o = pumprig(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = pumprig(&["report", run.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = fs::read_to_string(run.join("report.html")).unwrap();
    assert_self_contained(&html, "course page");
    assert_every_plot_shown(&html, &run, "course page");
    let record: Value =
        serde_json::from_str(&fs::read_to_string(run.join("course.json")).unwrap()).unwrap();
    let checks = table_rows(&html, "checks");
    assert_eq!(checks.len(), 2);
    for (row, c) in checks.iter().zip(record["checks"].as_array().unwrap()) {
        assert_eq!(row[1], c["name"].as_str().unwrap());
        let outcome = if c["pass"].as_bool().unwrap() {
            "PASS"
        } else {
            "FAIL"
        };
        assert_eq!(row[5], outcome, "{row:?}");
    }
    assert_eq!(checks[1][5], "FAIL");
    // One row per day, as daily.csv.
    let days = table_rows(&html, "daily");
    assert_eq!(days.len(), 2);
    assert_eq!(days[0][0], "1");
    assert!(html.contains("<span class=\"verdict fail\">FAIL</span>"));
    fs::remove_dir_all(&d).unwrap();
}
