//! A sweep's summaries, one row per case in case order: `summary.csv` (every parameter, check
//! value and outcome, and summary metric, for spreadsheets and scripts) and `summary.md` (the
//! parameters, each check's value and mark, the outcome, and the failures spelt out, for a pull
//! request or a design review). Written from the case rows alone, so a merge of shards writes
//! the same bytes as the unsharded sweep.

use std::io::{self, Write};

use crate::sweep::{CaseRow, Manifest, Outcome, RowStore};

/// A number for the CSV: the shortest text that reads back as the same `f64`.
fn csv_num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// A parameter value for a table cell: strings without their quotes.
pub(crate) fn param_text(toml_value: &str) -> String {
    match toml_value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
    {
        Some(s) => s.to_owned(),
        None => toml_value.to_owned(),
    }
}

/// `pass`, `marginal`, `fail`, or empty when the case has no result for the check.
fn check_outcome(row: &CaseRow, i: usize) -> &'static str {
    match row.checks.get(i) {
        Some(c) if !c.pass => "fail",
        Some(c) if c.marginal => "marginal",
        Some(_) => "pass",
        None => "",
    }
}

/// Writes `summary.csv`: `case, id, outcome`, the swept keys (short names), for each check its
/// value (`NAME [UNIT]`) and outcome (`NAME: outcome`), every summary metric any case reported
/// (sorted by name), and `error`.
pub fn write_csv(out: impl Write, manifest: &Manifest, rows: &RowStore) -> io::Result<()> {
    let metrics = &rows.tally.metrics;
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = vec!["case".into(), "id".into(), "outcome".into()];
    header.extend(manifest.keys.iter().map(|k| k.short.clone()));
    for c in &manifest.checks {
        header.push(format!("{} [{}]", c.name, c.unit));
        header.push(format!("{}: outcome", c.name));
    }
    header.extend(metrics.iter().cloned());
    header.push("error".into());
    w.write_record(&header)?;
    rows.for_each(&mut |r| {
        let mut rec: Vec<String> = vec![
            (r.index + 1).to_string(),
            r.id.clone(),
            r.outcome.label().to_lowercase(),
        ];
        rec.extend(r.params.iter().map(|p| param_text(&p.value)));
        for i in 0..manifest.checks.len() {
            rec.push(csv_num(r.checks.get(i).and_then(|c| c.value)));
            rec.push(check_outcome(r, i).into());
        }
        rec.extend(metrics.iter().map(|m| csv_num(r.metrics.get(m).copied())));
        rec.push(r.error.clone().unwrap_or_default());
        w.write_record(&rec)?;
        Ok(())
    })?;
    w.flush()
}

/// A value for a Markdown cell: about four significant digits.
pub(crate) fn md_num(x: f64) -> String {
    let a = x.abs();
    let decimals = if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else if a >= 1.0 {
        3
    } else {
        4
    };
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Escapes a table cell (`|` would end it; newlines would end the row).
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Writes `summary.md`: a headline with the counts, one table row per case (the lead parameter
/// of each grid axis — the other keys of a zip group follow it and are in `summary.csv` —, each
/// check's value marked `✓`, `~` (marginal) or `✗`, the outcome), then every failure and error
/// with its message.
pub fn write_markdown(mut out: impl Write, manifest: &Manifest, rows: &RowStore) -> io::Result<()> {
    let t = &rows.tally;
    let (pass, marginal, fail, error) = (t.pass, t.marginal, t.fail, t.error);
    writeln!(out, "# Sweep `{}`", manifest.scenario)?;
    writeln!(out)?;
    writeln!(
        out,
        "{} of {} case(s) from `{}` ({}): {} passed ({} marginal), {} failed, {} error(s).",
        t.cases,
        manifest.total_cases,
        manifest.scenario_file,
        manifest.scenario_hash,
        pass + marginal,
        marginal,
        fail,
        error
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Marks: ✓ pass, ~ pass but outside the marginal band, ✗ fail. Every summary metric is in `summary.csv`."
    )?;
    writeln!(out)?;
    let mut header = vec!["#".to_owned()];
    header.extend(
        manifest
            .keys
            .iter()
            .filter(|k| k.lead)
            .map(|k| format!("`{}`", k.short)),
    );
    header.extend(
        manifest
            .checks
            .iter()
            .map(|c| format!("{} [{}]", md_cell(&c.name), md_cell(&c.unit))),
    );
    header.push("outcome".into());
    header.push("id".into());
    writeln!(out, "| {} |", header.join(" | "))?;
    let align: Vec<&str> = header.iter().map(|_| "---").collect();
    writeln!(out, "|{}|", align.join("|"))?;
    rows.for_each(&mut |r| {
        let mut cells = vec![(r.index + 1).to_string()];
        cells.extend(
            r.params
                .iter()
                .filter(|p| p.lead)
                .map(|p| md_cell(&param_text(&p.value))),
        );
        for i in 0..manifest.checks.len() {
            cells.push(match r.checks.get(i) {
                None => "—".into(),
                Some(c) => {
                    let v = c.value.map_or_else(|| "no value".into(), md_num);
                    let mark = match check_outcome(r, i) {
                        "fail" => "✗",
                        "marginal" => "~",
                        _ => "✓",
                    };
                    format!("{v} {mark}")
                }
            });
        }
        let label = r.outcome.label();
        cells.push(if r.outcome.passed() && r.outcome == Outcome::Pass {
            label.into()
        } else {
            format!("**{label}**")
        });
        cells.push(format!("`{}`", r.id));
        writeln!(out, "| {} |", cells.join(" | "))
    })?;
    if t.pass < t.cases {
        writeln!(out)?;
        writeln!(out, "## Failures, errors and marginal results")?;
        writeln!(out)?;
        rows.for_each(&mut |r| {
            if r.outcome == Outcome::Pass {
                return Ok(());
            }
            writeln!(
                out,
                "- case {} `{}`: {}",
                r.index + 1,
                r.id,
                r.outcome.label()
            )?;
            if let Some(e) = &r.error {
                writeln!(out, "  - run fault: {}", md_cell(e))?;
            }
            for c in r.checks.iter().filter(|c| !c.pass || c.marginal) {
                writeln!(out, "  - {}", md_cell(&c.message))?;
            }
            Ok(())
        })?;
    }
    out.flush()
}
