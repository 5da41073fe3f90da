//! The comparison's tables: the runs (who ran, what was recorded), every metric of their
//! `record.json` side by side with its difference from the first run, and every check's value,
//! as Markdown (`compare.md`) and as one self-contained HTML page with the overlays inlined as
//! SVG (`compare.html`: no scripts, no network, prints cleanly).

use std::collections::BTreeSet;
use std::fmt::Write;

use super::Run;
use crate::output::junit::escape;

/// What the tables are made of.
pub struct Tables<'a> {
    pub runs: &'a [Run],
    /// Notes for the reader (spans, sample rates, alignment).
    pub notes: &'a [String],
    /// `(signal, svg file name, svg text)` per overlay.
    pub plots: &'a [(String, String, String)],
}

/// The columns of the runs table (`run_rows`), in both the Markdown and the HTML page.
const RUN_COLUMNS: [&str; 10] = [
    "run",
    "directory",
    "scenario",
    "controller",
    "build id",
    "seed",
    "rows",
    "span",
    "sample rate",
    "checks",
];
impl Tables<'_> {
    fn metric_names(&self) -> Vec<&str> {
        let names: BTreeSet<&str> = self
            .runs
            .iter()
            .flat_map(|r| r.metrics.keys().map(String::as_str))
            .collect();
        names.into_iter().collect()
    }

    fn check_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for r in self.runs {
            for (name, _, _) in &r.checks {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// Header cells: "metric", each run, then "Δ"/"%" per run after the first.
    fn header(&self, first: &str) -> Vec<String> {
        let mut h = vec![first.to_owned()];
        h.extend(self.runs.iter().map(|r| r.name.clone()));
        for r in &self.runs[1..] {
            h.push(format!("Δ {}", r.name));
            h.push(format!("% {}", r.name));
        }
        h
    }

    /// One metric's row: values, then differences from the first run.
    fn metric_row(&self, name: &str) -> Vec<String> {
        let values: Vec<Option<f64>> = self
            .runs
            .iter()
            .map(|r| r.metrics.get(name).copied())
            .collect();
        row(name, &values)
    }

    fn check_row(&self, name: &str) -> Vec<String> {
        let values: Vec<Option<f64>> = self
            .runs
            .iter()
            .map(|r| {
                r.checks
                    .iter()
                    .find(|(n, _, _)| n == name)
                    .and_then(|(_, v, _)| *v)
            })
            .collect();
        let mut cells = row(name, &values);
        for (i, r) in self.runs.iter().enumerate() {
            if let Some((_, _, pass)) = r.checks.iter().find(|(n, _, _)| n == name) {
                cells[i + 1].push_str(if *pass { " ✓" } else { " ✗" });
            }
        }
        cells
    }

    fn run_rows(&self) -> Vec<Vec<String>> {
        self.runs
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.dir.display().to_string(),
                    r.scenario.clone(),
                    r.controller.clone(),
                    r.build_id.clone(),
                    r.seed.clone(),
                    format!("{}", r.rows),
                    format!("{:.2}–{:.2} s", r.span_s.0, r.span_s.1),
                    format!("{} Hz", fmt_rate(r.sample_rate_hz)),
                    if r.passed { "pass" } else { "fail" }.to_owned(),
                ]
            })
            .collect()
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Comparison of {} runs\n", self.runs.len());
        md_table(
            &mut s,
            &RUN_COLUMNS.map(str::to_owned),
            &self.run_rows(),
            false,
        );
        for n in self.notes {
            let _ = writeln!(s, "- {n}");
        }
        if !self.notes.is_empty() {
            s.push('\n');
        }
        if !self.plots.is_empty() {
            let _ = writeln!(s, "## Overlays\n");
            for (signal, file, _) in self.plots {
                let _ = writeln!(s, "- `{signal}`: [{file}]({file})");
            }
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "## Metrics\n\nEach metric of `record.json`, its value per run, and the difference \
             from the first run ({}), absolute and in % of its value.\n",
            self.runs[0].name
        );
        let rows: Vec<Vec<String>> = self
            .metric_names()
            .iter()
            .map(|m| self.metric_row(m))
            .collect();
        md_table(&mut s, &self.header("metric"), &rows, true);
        let checks = self.check_names();
        if !checks.is_empty() {
            let _ = writeln!(
                s,
                "## Checks\n\nEach check's measured value per run (✓ passed, ✗ failed) and the \
                 difference from the first run.\n"
            );
            let rows: Vec<Vec<String>> = checks.iter().map(|c| self.check_row(c)).collect();
            md_table(&mut s, &self.header("check"), &rows, true);
        }
        s
    }

    pub fn html(&self) -> String {
        let mut s = String::new();
        let title = format!("Comparison of {} runs", self.runs.len());
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
             <style>\nbody {{ font-family: sans-serif; margin: 2em; color: #222; }}\n\
             table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }}\n\
             th, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }}\n\
             th:first-child, td:first-child {{ text-align: left; }}\n\
             th {{ background: #eee; }}\n\
             figure {{ margin: 1.5em 0; page-break-inside: avoid; break-inside: avoid; }}\n\
             figure svg {{ width: 100%; height: auto; }}\n\
             @media print {{ body {{ margin: 0; }} }}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&title),
            escape(&title)
        );
        html_table(&mut s, &RUN_COLUMNS.map(str::to_owned), &self.run_rows());
        if !self.notes.is_empty() {
            s.push_str("<ul>\n");
            for n in self.notes {
                let _ = writeln!(s, "<li>{}</li>", escape(n));
            }
            s.push_str("</ul>\n");
        }
        if !self.plots.is_empty() {
            s.push_str("<h2>Overlays</h2>\n");
            for (signal, _, svg) in self.plots {
                let _ = writeln!(
                    s,
                    "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    escape(signal),
                    strip_xml_declaration(svg),
                    escape(signal)
                );
            }
        }
        let _ = writeln!(
            s,
            "<h2>Metrics</h2>\n<p>Each metric of <code>record.json</code>, its value per run, and \
             the difference from the first run ({}), absolute and in % of its value.</p>",
            escape(&self.runs[0].name)
        );
        let rows: Vec<Vec<String>> = self
            .metric_names()
            .iter()
            .map(|m| self.metric_row(m))
            .collect();
        html_table(&mut s, &self.header("metric"), &rows);
        let checks = self.check_names();
        if !checks.is_empty() {
            s.push_str("<h2>Checks</h2>\n");
            let rows: Vec<Vec<String>> = checks.iter().map(|c| self.check_row(c)).collect();
            html_table(&mut s, &self.header("check"), &rows);
        }
        s.push_str("</body>\n</html>\n");
        s
    }
}

/// Cells of a row: the name, each value, then each later run's difference and % difference
/// from the first.
fn row(name: &str, values: &[Option<f64>]) -> Vec<String> {
    let mut cells = vec![name.to_owned()];
    cells.extend(values.iter().map(|v| v.map_or("—".to_owned(), fmt_num)));
    let first = values.first().copied().flatten();
    for v in &values[1..] {
        match (first, *v) {
            (Some(a), Some(b)) => {
                cells.push(fmt_signed(b - a));
                cells.push(if a != 0.0 {
                    format!("{:+.1} %", (b - a) / a.abs() * 100.0)
                } else if b == a {
                    "+0.0 %".to_owned()
                } else {
                    "—".to_owned()
                });
            }
            _ => cells.extend(["—".to_owned(), "—".to_owned()]),
        }
    }
    cells
}

/// A number with four significant digits (at least one decimal below 1000), no exponent.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    let decimals = if a == 0.0 || a >= 1000.0 {
        0
    } else {
        (3 - a.log10().floor() as i32).clamp(1, 6) as usize
    };
    if a >= 1000.0 && v.fract() != 0.0 {
        return format!("{v:.1}");
    }
    format!("{v:.decimals$}")
}

/// A rate as written in a scenario: `100`, `50`, `12.5`.
fn fmt_rate(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn fmt_signed(v: f64) -> String {
    let s = fmt_num(v);
    if v >= 0.0 { format!("+{s}") } else { s }
}

/// A Markdown table; `numbers`: every column but the first holds numbers (right-aligned).
fn md_table(s: &mut String, header: &[String], rows: &[Vec<String>], numbers: bool) {
    let cell = |c: &str| c.replace('|', "\\|");
    let _ = writeln!(
        s,
        "| {} |",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        s,
        "|{}",
        header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 || !numbers { "---|" } else { "---:|" })
            .collect::<String>()
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} |",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    s.push('\n');
}

fn html_table(s: &mut String, header: &[String], rows: &[Vec<String>]) {
    s.push_str("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", escape(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
}

/// An SVG file's text without an `<?xml …?>` line, to inline it in HTML.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg, |(_, r)| r.trim_start()),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_from_the_first_run_absolute_and_relative() {
        assert_eq!(
            row("m", &[Some(200.0), Some(190.0), None]),
            ["m", "200.0", "190.0", "—", "-10.00", "-5.0 %", "—", "—"]
        );
        assert_eq!(
            row("z", &[Some(0.0), Some(0.0)]),
            ["z", "0", "0", "+0", "+0.0 %"]
        );
        assert_eq!(
            row("z", &[Some(0.0), Some(1.0)]),
            ["z", "0", "1.000", "+1.000", "—"]
        );
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(fmt_num(192.4321), "192.4");
        assert_eq!(fmt_num(0.012346), "0.01235");
        assert_eq!(fmt_num(12345.0), "12345");
        assert_eq!(fmt_num(1234.56), "1234.6");
        assert_eq!(fmt_num(-3.0), "-3.000");
    }
}
