//! The report of a run directory: what ran (scenario, controller identity and build id, run
//! settings), the checks with value, limits, marginal band and outcome, every plot, link health
//! for a board, and the golden-baseline comparison (`baseline.json`) with its overlay plots.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::html::{Cell, Page, esc};
use super::{ReportError, flatten, footer, num, read_json, svgs_in, value_text};
use crate::metrics::CheckOutcome;

/// The run's own plots, in the order a reviewer reads them; any other SVG follows by name.
const PLOT_ORDER: [(&str, &str); 4] = [
    (
        "vacuum.svg",
        "vacuum at the sensor port and the nipples against the target",
    ),
    ("zoom.svg", "a few pump cycles up close, with the valve"),
    ("actuators.svg", "motor, valve and controller state"),
    ("milk.svg", "milk flow and hormones under the vacuum curve"),
];

/// `baseline.json`'s signal columns, in table order.
const BASELINE_COLUMNS: [(&str, &str); 10] = [
    ("signal", "signal"),
    ("pass", "outcome"),
    ("max_excess", "max excess"),
    ("at_s", "at [s]"),
    ("run", "run"),
    ("baseline", "baseline"),
    ("tolerance", "tolerance"),
    ("abs", "abs tol."),
    ("rel", "rel tol."),
    ("lag_ms", "lag [ms]"),
];

pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let record_path = dir.join("record.json");
    let record = read_json(&record_path)?;
    let bad = |message: String| ReportError::BadFile {
        path: record_path.clone(),
        message,
    };
    let checks: Vec<CheckOutcome> = match record.get("checks") {
        Some(c) => serde_json::from_value(c.clone())
            .map_err(|e| bad(format!("`checks` is not a list of check outcomes: {e}")))?,
        None => return Err(bad("no `checks`: not a run record".into())),
    };
    let resolved = record.get("resolved").cloned().unwrap_or(Value::Null);
    let s = |v: &Value, k: &str| v.get(k).map(value_text).unwrap_or_default();
    let name = match s(&resolved, "name") {
        n if n.is_empty() => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        n => n,
    };
    let mut page = Page::new(&format!("pumprig report — {name}"));

    // Headline.
    let failed = checks.iter().filter(|c| !c.pass).count();
    let marginal = checks.iter().filter(|c| c.pass && c.marginal).count();
    let (verdict, class) = match (failed, marginal) {
        (0, 0) => ("PASS", "pass"),
        (0, _) => ("PASS (marginal)", "marginal"),
        _ => ("FAIL", "fail"),
    };
    page.raw(&format!(
        "<header>\n<h1>Run <code>{}</code></h1>\n<p class=\"sub\">{}</p>\n<p><span class=\"verdict {class}\">{verdict}</span>{} check(s): {} passed ({} marginal), {} failed</p>\n</header>\n",
        esc(&name),
        esc(&s(&resolved, "description")),
        checks.len(),
        checks.len() - failed,
        marginal,
        failed
    ));

    // What ran.
    let controller = record.get("controller").cloned().unwrap_or(Value::Null);
    let tick_ns = record.get("tick_ns").and_then(Value::as_f64).unwrap_or(0.0);
    let mut what = vec![
        ("scenario".to_owned(), name.clone()),
        ("scenario file".into(), s(&record, "scenario_file")),
        ("scenario hash".into(), s(&record, "scenario_hash")),
        (
            "controller".into(),
            format!(
                "{} {} ({})",
                s(&controller, "name"),
                s(&controller, "version"),
                s(&controller, "adapter")
            ),
        ),
        ("controller build id".into(), s(&controller, "build_id")),
    ];
    if let Some(Value::Object(extra)) = Some(&controller) {
        for (k, v) in extra {
            if !["name", "version", "adapter", "build_id"].contains(&k.as_str()) {
                what.push((format!("controller {k}"), value_text(v)));
            }
        }
    }
    what.extend([
        ("pumprig version".into(), s(&record, "pumprig_version")),
        ("seed".into(), s(&record, "seed")),
        (
            "simulated".into(),
            format!("{} s", s(&record, "simulated_s")),
        ),
        (
            "control tick".into(),
            if tick_ns > 0.0 {
                format!("{} Hz ({} ticks)", num(1e9 / tick_ns), s(&record, "ticks"))
            } else {
                s(&record, "ticks")
            },
        ),
        (
            "shields".into(),
            resolved
                .pointer("/plant/kit/shields")
                .map(value_text)
                .unwrap_or_default(),
        ),
        (
            "outputs".into(),
            record
                .get("outputs")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(value_text).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
        ),
    ]);
    page.h2("run", "What ran").kv("identity", &what);

    // Checks.
    page.h2("checks", "Checks");
    if checks.is_empty() {
        page.p("note", "The scenario declares no checks.");
    } else {
        let rows: Vec<Vec<Cell>> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| check_row(i, c))
            .collect();
        page.table(
            "checks",
            &[
                "#",
                "check",
                "metric",
                "value",
                "limits",
                "marginal band",
                "outcome",
                "detail",
            ],
            &rows,
        );
    }

    // Baseline comparison, with its overlay plots.
    let mut shown = BTreeSet::new();
    let baseline_path = dir.join("baseline.json");
    if baseline_path.is_file() {
        baseline_section(&mut page, dir, &baseline_path, &mut shown)?;
    }

    // Plots.
    let mut plots: Vec<(std::path::PathBuf, &str)> = Vec::new();
    for (file, caption) in PLOT_ORDER {
        let p = dir.join(file);
        if p.is_file() {
            plots.push((p, caption));
        }
    }
    for p in svgs_in(dir)? {
        let known = PLOT_ORDER.iter().any(|(f, _)| p.ends_with(f));
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if !known && !name.is_some_and(|n| shown.contains(&n)) {
            plots.push((p, ""));
        }
    }
    page.h2("plots", "Plots");
    if plots.is_empty() {
        page.p(
            "note",
            "This run directory has no plots (a sweep case writes them with --plots).",
        );
    }
    for (p, caption) in plots {
        page.svg_figure(&p, caption)?;
    }

    // Link health of a board on a serial link.
    if let Some(link) = record.get("link_health").filter(|v| !v.is_null()) {
        let mut rows = Vec::new();
        flatten("", link, &mut rows);
        page.h2("link", "Link health")
            .p(
                "note",
                "The serial link to the board: frames lost, repeated and recovered, and round-trip times (wall clock).",
            )
            .kv("link", &rows);
    }

    // Settings, last: long, for whoever needs to reproduce the run.
    if let Some(c) = resolved.get("controller") {
        let mut rows = Vec::new();
        flatten("controller", c, &mut rows);
        page.h2("settings", "Run settings").kv("settings", &rows);
    }
    if let Some(events) = resolved.get("events").and_then(Value::as_array)
        && !events.is_empty()
    {
        let rows: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                let mut kv = Vec::new();
                flatten("", e, &mut kv);
                let at = e.get("at_s").map(value_text).unwrap_or_default();
                let rest: Vec<String> = kv
                    .into_iter()
                    .filter(|(k, _)| k != "at_s")
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                (format!("at {at} s"), rest.join(", "))
            })
            .collect();
        page.h3("Timeline").kv("events", &rows);
    }
    if let Some(p) = resolved.get("plant") {
        let mut rows = Vec::new();
        flatten("plant", p, &mut rows);
        page.h3("Plant").kv("plant", &rows);
    }
    Ok(page.finish(&footer(dir)))
}

pub(super) fn outcome_cell(pass: bool, marginal: bool) -> Cell {
    match (pass, marginal) {
        (false, _) => Cell::class("FAIL", "fail"),
        (true, true) => Cell::class("MARGINAL", "marginal"),
        (true, false) => Cell::class("PASS", "pass"),
    }
}

pub(super) fn range_text(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{} – {} {unit}", num(a), num(b)),
        (Some(a), None) => format!("≥ {} {unit}", num(a)),
        (None, Some(b)) => format!("≤ {} {unit}", num(b)),
        (None, None) => "—".into(),
    }
}

fn check_row(i: usize, c: &CheckOutcome) -> Vec<Cell> {
    let mut metric = c.metric.clone();
    if let Some(at) = &c.at {
        metric = format!(
            "{metric} at {}",
            value_text(&serde_json::to_value(at).unwrap_or_default())
        );
    }
    if let Some([a, b]) = c.window_s {
        metric = format!("{metric}, {}–{} s", num(a), num(b));
    }
    vec![
        Cell::num(&(i + 1).to_string()),
        Cell::text(&c.name),
        Cell::text(&metric),
        Cell::num(
            &c.value
                .map_or_else(|| "no value".into(), |v| format!("{} {}", num(v), c.unit)),
        ),
        Cell::num(&range_text(c.min, c.max, &c.unit)),
        Cell::num(&range_text(c.marginal_min, c.marginal_max, &c.unit)),
        outcome_cell(c.pass, c.marginal),
        Cell {
            html: esc(&c.message),
            class: "msg",
        },
    ]
}

/// `baseline.json` (a `[baseline]` comparison): the verdict, one row per signal, and the overlay
/// plots it names (recorded in `shown`, so the plots section does not repeat them).
fn baseline_section(
    page: &mut Page,
    dir: &Path,
    path: &Path,
    shown: &mut BTreeSet<String>,
) -> Result<(), ReportError> {
    let b = read_json(path)?;
    let signals =
        b.get("signals")
            .and_then(Value::as_array)
            .ok_or_else(|| ReportError::BadFile {
                path: path.to_path_buf(),
                message: "no `signals` list: not a baseline comparison".into(),
            })?;
    let pass = b.get("pass").and_then(Value::as_bool);
    let (verdict, class) = match pass {
        Some(true) => ("PASS", "pass"),
        Some(false) => ("FAIL", "fail"),
        None => ("?", "error"),
    };
    page.h2("baseline", "Golden baseline");
    page.raw(&format!(
        "<p><span class=\"verdict {class}\">{verdict}</span>against <code>{}</code>: {} signal(s), {} outside tolerance</p>\n",
        esc(&b.get("baseline_dir").map(value_text).unwrap_or_default()),
        signals.len(),
        signals
            .iter()
            .filter(|s| s.get("pass").and_then(Value::as_bool) == Some(false))
            .count()
    ));
    page.p(
        "note",
        "tolerance = max(abs, rel × |baseline|) after a lead/lag allowance; max excess is how far the run went beyond it, at the time given, with the run's and the baseline's values there.",
    );
    let header: Vec<&str> = BASELINE_COLUMNS.iter().map(|(_, h)| *h).collect();
    let rows: Vec<Vec<Cell>> = signals
        .iter()
        .map(|sig| {
            BASELINE_COLUMNS
                .iter()
                .map(|(k, _)| {
                    let v = sig.get(*k).unwrap_or(&Value::Null);
                    match *k {
                        "signal" => {
                            let hold = sig.get("hold").and_then(Value::as_bool) == Some(true);
                            Cell {
                                html: format!(
                                    "<code>{}</code>{}",
                                    esc(&value_text(v)),
                                    if hold { " (zero-order hold)" } else { "" }
                                ),
                                class: "",
                            }
                        }
                        "pass" => match v.as_bool() {
                            Some(p) => outcome_cell(p, false),
                            None => Cell::text("—"),
                        },
                        _ => Cell::num(&value_text(v)),
                    }
                })
                .collect()
        })
        .collect();
    page.table("baseline", &header, &rows);
    for sig in signals {
        let Some(plot) = sig.get("plot").and_then(Value::as_str) else {
            continue;
        };
        // Only a file in the run directory itself.
        let file = Path::new(plot);
        if file.components().count() != 1 || !dir.join(file).is_file() {
            page.p(
                "note",
                &format!("overlay plot {plot} is not in the run directory"),
            );
            continue;
        }
        if shown.insert(plot.to_owned()) {
            let caption = format!(
                "run, baseline and tolerance band of {}",
                sig.get("signal").map(value_text).unwrap_or_default()
            );
            page.svg_figure(&dir.join(file), &caption)?;
        }
    }
    Ok(())
}
