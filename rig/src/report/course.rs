//! The report of a course directory (`course.json`): what ran (scenario, days, sessions, the
//! schedule), the course checks with value, limits and outcome, the course plots, and the daily
//! table (`daily.csv`) — the day-by-day supply a design review looks at.

use std::path::Path;

use serde_json::Value;

use super::html::{Cell, Page};
use super::run::{outcome_cell, range_text};
use super::{ReportError, flatten, footer, num, read_json, svgs_in, value_text};

pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let record_path = dir.join("course.json");
    let record = read_json(&record_path)?;
    let bad = |message: String| ReportError::BadFile {
        path: record_path.clone(),
        message,
    };
    let checks = record
        .get("checks")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `checks` list: not a course record".into()))?;
    let resolved = record.get("resolved").cloned().unwrap_or(Value::Null);
    let s = |v: &Value, k: &str| v.get(k).map(value_text).unwrap_or_default();
    let name = s(&resolved, "name");
    let mut page = Page::new(&format!("pumprig report — course {name}"));

    let failed = checks
        .iter()
        .filter(|c| c.get("pass") != Some(&Value::Bool(true)))
        .count();
    let sessions_failed = record
        .get("sessions_failed")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let passed = record.get("passed") == Some(&Value::Bool(true));
    let (verdict, class) = if passed {
        ("PASS", "pass")
    } else {
        ("FAIL", "fail")
    };
    page.raw(&format!(
        "<header>\n<h1>Course <code>{}</code></h1>\n<p class=\"sub\">{}</p>\n<p><span class=\"verdict {class}\">{verdict}</span>{} course check(s): {} passed, {} failed; {} pump session(s) failed the scenario's checks</p>\n</header>\n",
        super::html::esc(&name),
        super::html::esc(&s(&resolved, "description")),
        checks.len(),
        checks.len() - failed,
        failed,
        sessions_failed,
    ));

    let opt = |k: &str, unit: &str| match record.get(k) {
        Some(Value::Number(n)) => format!("{} {unit}", num(n.as_f64().unwrap_or(f64::NAN))),
        _ => "never".into(),
    };
    let what = vec![
        ("scenario".to_owned(), name.clone()),
        ("scenario file".into(), s(&record, "scenario_file")),
        ("scenario hash".into(), s(&record, "scenario_hash")),
        ("pumprig version".into(), s(&record, "pumprig_version")),
        ("seed".into(), s(&record, "seed")),
        ("days".into(), s(&record, "days")),
        ("sessions".into(), s(&record, "sessions")),
        ("first drops".into(), opt("first_drops_day", "(day)")),
        (
            "last day's volume".into(),
            opt("final_daily_volume_ml", "mL"),
        ),
    ];
    page.h2("run", "What ran").kv("identity", &what);

    page.h2("checks", "Course checks");
    if checks.is_empty() {
        page.p("note", "The course declares no checks.");
    } else {
        let rows: Vec<Vec<Cell>> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let f = |k: &str| c.get(k).and_then(Value::as_f64);
                let unit = s(c, "unit");
                vec![
                    Cell::num(&(i + 1).to_string()),
                    Cell::text(&s(c, "name")),
                    Cell::code(&s(c, "metric")),
                    Cell::num(&f("value").map_or("—".into(), |v| format!("{} {unit}", num(v)))),
                    Cell::text(&range_text(f("min"), f("max"), &unit)),
                    outcome_cell(c.get("pass") == Some(&Value::Bool(true)), false),
                    Cell::text(&s(c, "message")),
                ]
            })
            .collect();
        page.table(
            "checks",
            &[
                "#", "check", "metric", "value", "limits", "outcome", "detail",
            ],
            &rows,
        );
    }

    page.h2("plots", "Plots");
    let plots = svgs_in(dir)?;
    if plots.is_empty() {
        page.p("note", "This course directory has no plots.");
    }
    for p in plots {
        page.svg_figure(&p, "the course day by day")?;
    }

    // The daily table, as daily.csv has it.
    let daily_path = dir.join("daily.csv");
    if daily_path.is_file() {
        let text = std::fs::read_to_string(&daily_path).map_err(|source| ReportError::Read {
            path: daily_path.clone(),
            source,
        })?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
        let rows: Vec<Vec<Cell>> = lines
            .map(|l| {
                l.split(',')
                    .map(|f| match f.parse::<f64>() {
                        Ok(v) => Cell::num(&num(v)),
                        Err(_) => Cell::text(f),
                    })
                    .collect()
            })
            .collect();
        page.h2("days", "Day by day (daily.csv)")
            .table("daily", &header, &rows);
    }

    if let Some(c) = resolved.get("course") {
        let mut rows = Vec::new();
        flatten("course", c, &mut rows);
        page.h2("settings", "Course settings").kv("settings", &rows);
    }
    if let Some(p) = resolved.get("plant") {
        let mut rows = Vec::new();
        flatten("plant", p, &mut rows);
        page.h3("Plant").kv("plant", &rows);
    }
    Ok(page.finish(&footer(dir)))
}
