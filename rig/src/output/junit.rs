//! JUnit XML for CI dashboards: one `<testsuite>` per run (a sweep case, or a `pumprig run`), one
//! `<testcase>` per check. A failed check is a `<failure>` whose message names the value and the
//! limit it broke; a check that passed outside its marginal band passes, with the note in
//! `<system-out>` and a `marginal` property; a run that stopped on a fault is an `<error>`. No
//! times: the same runs give the same bytes.

use std::io::{self, Write};

use crate::metrics::MetricsReport;
use crate::sweep::CaseRow;

/// Escapes text for XML content and attribute values; drops characters XML 1.0 cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A suite to write: a name, properties (parameters) and the case row with its results.
pub struct Suite<'a> {
    pub name: String,
    /// `classname` of its test cases (dashboards group by it).
    pub classname: String,
    pub properties: Vec<(String, String)>,
    pub row: &'a CaseRow,
}

/// The XML declaration and `<testsuites>` with its totals (tests, failures, errors).
pub fn write_header(
    out: &mut dyn Write,
    name: &str,
    (tests, failures, errors): (usize, usize, usize),
) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="{}" tests="{tests}" failures="{failures}" errors="{errors}">"#,
        escape(name)
    )
}

/// One `<testsuite>`: a test case per check, a run fault as an `<error>`.
pub fn write_suite(out: &mut dyn Write, s: &Suite<'_>) -> io::Result<()> {
    let (tests, failures, errors) = s.row.junit_counts();
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0">"#,
        escape(&s.name)
    )?;
    if !s.properties.is_empty() {
        writeln!(out, "    <properties>")?;
        for (k, v) in &s.properties {
            writeln!(
                out,
                r#"      <property name="{}" value="{}"/>"#,
                escape(k),
                escape(v)
            )?;
        }
        writeln!(out, "    </properties>")?;
    }
    let class = escape(&s.classname);
    if let Some(e) = &s.row.error {
        writeln!(out, r#"    <testcase name="run" classname="{class}">"#)?;
        writeln!(
            out,
            r#"      <error type="run_fault" message="{}">{}</error>"#,
            escape(e),
            escape(e)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    for c in &s.row.checks {
        let name = escape(&c.name);
        if c.pass && !c.marginal {
            writeln!(out, r#"    <testcase name="{name}" classname="{class}"/>"#)?;
            continue;
        }
        writeln!(out, r#"    <testcase name="{name}" classname="{class}">"#)?;
        if !c.pass {
            writeln!(
                out,
                r#"      <failure type="check_failed" message="{}">{}</failure>"#,
                escape(&c.message),
                escape(&c.message)
            )?;
        } else {
            writeln!(out, "      <properties>")?;
            writeln!(out, r#"        <property name="marginal" value="true"/>"#)?;
            writeln!(out, "      </properties>")?;
            writeln!(
                out,
                "      <system-out>MARGINAL: {}</system-out>",
                escape(&c.message)
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")
}

/// Closes `<testsuites>`.
pub fn write_footer(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "</testsuites>")?;
    out.flush()
}

/// Writes the JUnit XML of one run (`pumprig run`): a suite named after the scenario, a test case
/// per check.
pub fn write_run(
    mut out: impl Write,
    scenario_name: &str,
    report: &MetricsReport,
) -> io::Result<()> {
    let row = CaseRow::single_run(scenario_name, report);
    let suite = Suite {
        name: scenario_name.to_owned(),
        classname: scenario_name.to_owned(),
        properties: Vec::new(),
        row: &row,
    };
    write_header(
        &mut out,
        &format!("pumprig run {scenario_name}"),
        row.junit_counts(),
    )?;
    write_suite(&mut out, &suite)?;
    write_footer(&mut out)
}
