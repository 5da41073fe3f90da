//! The report of a sweep directory: what was swept (scenario, keys, shard, filter, controller of
//! its cases), the counts, the sweep plots (pass/fail map, heatmaps, each check against each
//! key), the summary table and every failing, erroring or marginal case's checks, with the
//! vacuum plot of the first few failing cases when the sweep kept their plots (`--plots`). Rows
//! are streamed from `cases.jsonl` as the summaries are.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::html::{Cell, Page, esc};
use super::{ReportError, footer, num, read_json, svgs_in, value_text};
use crate::sweep::{Manifest, Outcome, RowStore};

/// At most this many failing cases' own plots are shown (a sweep run with `--plots` has them).
const CASE_PLOTS_SHOWN: usize = 6;

fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Marginal => "marginal",
        Outcome::Fail => "fail",
        Outcome::Error => "error",
    }
}

/// Sweep plot files in reading order: the pass/fail map, heatmaps by check, line plots by check
/// (then by key), anything else by name.
fn plot_rank(p: &Path) -> (u8, usize, String) {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let check_no = |rest: &str| {
        rest.strip_prefix('c')
            .and_then(|r| r.split('-').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    };
    if name == "sweep-passfail.svg" {
        (0, 0, name)
    } else if let Some(rest) = name.strip_prefix("sweep-heatmap-") {
        (1, check_no(rest), name)
    } else if let Some(rest) = name.strip_prefix("sweep-") {
        (2, check_no(rest), name)
    } else {
        (3, 0, name)
    }
}

pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let manifest = Manifest::read(dir).map_err(|message| ReportError::BadFile {
        path: dir.join(Manifest::FILE),
        message,
    })?;
    let rows_path = dir.join("cases.jsonl");
    let store =
        RowStore::open(std::slice::from_ref(&rows_path)).map_err(|e| ReportError::BadFile {
            path: rows_path.clone(),
            message: e.to_string(),
        })?;
    let t = &store.tally;
    let mut page = Page::new(&format!("pumprig sweep report — {}", manifest.scenario));
    let (verdict, class) = if t.fail + t.error > 0 {
        ("FAIL", "fail")
    } else if t.marginal > 0 {
        ("PASS (marginal)", "marginal")
    } else {
        ("PASS", "pass")
    };
    page.raw(&format!(
        "<header>\n<h1>Sweep <code>{}</code></h1>\n<p><span class=\"verdict {class}\">{verdict}</span>{} case(s): {} passed ({} marginal), {} failed, {} error(s)</p>\n</header>\n",
        esc(&manifest.scenario),
        t.cases,
        t.pass + t.marginal,
        t.marginal,
        t.fail,
        t.error
    ));

    // What was swept.
    let mut what = vec![
        ("scenario file".to_owned(), manifest.scenario_file.clone()),
        ("scenario hash".into(), manifest.scenario_hash.clone()),
        ("pumprig version".into(), manifest.pumprig_version.clone()),
        (
            "cases".into(),
            format!(
                "{} here, of {} in the sweep",
                manifest.cases, manifest.total_cases
            ),
        ),
        (
            "shard".into(),
            manifest
                .shard
                .map_or_else(|| "all (unsharded or merged)".into(), |s| s.to_string()),
        ),
    ];
    if !manifest.filter.is_empty() {
        what.push(("--case filter".into(), manifest.filter.join(" | ")));
    }
    for k in &manifest.keys {
        what.push((
            format!("swept: {}", k.short),
            if k.lead {
                k.key.clone()
            } else {
                format!("{} (follows its zip group)", k.key)
            },
        ));
    }
    if let Some(controller) = first_case_controller(dir, &store) {
        what.push(("controller".into(), controller.0));
        what.push(("controller build id".into(), controller.1));
    }
    page.h2("sweep", "What was swept").kv("identity", &what);

    // Plots.
    let mut plots: Vec<PathBuf> = svgs_in(dir)?;
    plots.sort_by_key(|p| plot_rank(p));
    page.h2("plots", "Sweep plots");
    if plots.is_empty() {
        page.p("note", "This sweep directory has no plots.");
    }
    for p in &plots {
        page.svg_figure(p, "")?;
    }

    // Summary table, streamed.
    let leads: Vec<&str> = manifest
        .keys
        .iter()
        .filter(|k| k.lead)
        .map(|k| k.short.as_str())
        .collect();
    let mut header: Vec<String> = vec!["#".into()];
    header.extend(leads.iter().map(|s| (*s).to_owned()));
    header.extend(
        manifest
            .checks
            .iter()
            .map(|c| format!("{} [{}]", c.name, c.unit)),
    );
    header.push("outcome".into());
    header.push("id".into());
    let read_err = |e: std::io::Error| ReportError::BadFile {
        path: rows_path.clone(),
        message: e.to_string(),
    };
    let mut rows = Vec::new();
    store
        .for_each(&mut |r| {
            let mut cells = vec![Cell::num(&(r.index + 1).to_string())];
            cells.extend(
                r.params
                    .iter()
                    .filter(|p| p.lead)
                    .map(|p| Cell::num(&crate::output::summary::param_text(&p.value))),
            );
            for i in 0..manifest.checks.len() {
                cells.push(match r.checks.get(i) {
                    None => Cell::text("—"),
                    Some(c) => {
                        let v = c.value.map_or_else(|| "no value".into(), num);
                        let (mark, class) = match (c.pass, c.marginal) {
                            (false, _) => (" ✗", "num fail"),
                            (true, true) => (" ~", "num marginal"),
                            _ => ("", "num"),
                        };
                        Cell {
                            html: esc(&format!("{v}{mark}")),
                            class,
                        }
                    }
                });
            }
            cells.push(Cell::class(r.outcome.label(), outcome_class(r.outcome)));
            cells.push(Cell::code(&r.id));
            rows.push(cells);
            Ok(())
        })
        .map_err(read_err)?;
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    page.h2("summary", "Cases")
        .p(
            "note",
            "✗ failed, ~ marginal (passed outside the marginal band).",
        )
        .table("summary", &header_refs, &rows);

    // Failing cases' checks.
    if t.pass < t.cases {
        page.h2("failures", "Failing, erroring and marginal cases");
        let mut html = String::from("<ul class=\"failures\">\n");
        let mut with_plots: Vec<String> = Vec::new();
        store
            .for_each(&mut |r| {
                if r.outcome == Outcome::Pass {
                    return Ok(());
                }
                if !r.outcome.passed()
                    && with_plots.len() < CASE_PLOTS_SHOWN
                    && dir.join("cases").join(&r.id).join("vacuum.svg").is_file()
                {
                    with_plots.push(r.id.clone());
                }
                html.push_str(&format!(
                    "<li><span class=\"{}\">{}</span> case {} <code>{}</code>",
                    outcome_class(r.outcome),
                    r.outcome.label(),
                    r.index + 1,
                    esc(&r.id)
                ));
                if let Some(e) = &r.error {
                    html.push_str(&format!("<br>run fault: {}", esc(e)));
                }
                let bad: Vec<_> = r.checks.iter().filter(|c| !c.pass || c.marginal).collect();
                if !bad.is_empty() {
                    html.push_str("<table class=\"checks\"><thead><tr><th>check</th><th>value</th><th>limits</th><th>outcome</th><th>detail</th></tr></thead><tbody>");
                    for c in bad {
                        let limits = match (c.min, c.max) {
                            (Some(a), Some(b)) => format!("{} – {} {}", num(a), num(b), c.unit),
                            (Some(a), None) => format!("≥ {} {}", num(a), c.unit),
                            (None, Some(b)) => format!("≤ {} {}", num(b), c.unit),
                            (None, None) => "—".into(),
                        };
                        let (label, class) = if c.pass {
                            ("MARGINAL", "marginal")
                        } else {
                            ("FAIL", "fail")
                        };
                        html.push_str(&format!(
                            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{label}</td><td class=\"msg\">{}</td></tr>",
                            esc(&c.name),
                            esc(&c.value.map_or_else(|| "no value".into(), |v| format!("{} {}", num(v), c.unit))),
                            esc(&limits),
                            esc(&c.message)
                        ));
                    }
                    html.push_str("</tbody></table>");
                }
                html.push_str("</li>\n");
                Ok(())
            })
            .map_err(read_err)?;
        html.push_str("</ul>\n");
        page.raw(&html);
        // Their curves, when the sweep kept them (`--plots`): the first few cases' vacuum plots.
        if !with_plots.is_empty() {
            page.h3(&format!(
                "Vacuum of the first {} failing or erroring case(s) with plots",
                with_plots.len()
            ));
            for id in &with_plots {
                let rel = format!("cases/{id}/vacuum.svg");
                page.svg_figure_named(&dir.join(&rel), &rel, &format!("case {id}"))?;
            }
        }
    }
    Ok(page.finish(&footer(dir)))
}

/// The controller identity and build id recorded by the first case that has a `record.json`
/// (every case of a sweep runs the same controller).
fn first_case_controller(dir: &Path, store: &RowStore) -> Option<(String, String)> {
    let mut found = None;
    let _ = store.for_each(&mut |r| {
        if found.is_none() {
            let p = dir.join("cases").join(&r.id).join("record.json");
            if let Ok(rec) = read_json(&p) {
                let c = rec.get("controller").cloned().unwrap_or(Value::Null);
                let s = |k: &str| c.get(k).map(value_text).unwrap_or_default();
                found = Some((
                    format!("{} {} ({})", s("name"), s("version"), s("adapter")),
                    s("build_id"),
                ));
            }
        }
        Ok(())
    });
    found
}
