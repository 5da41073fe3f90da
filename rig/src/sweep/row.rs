//! One line per case of a sweep (`cases.jsonl`): its parameters, outcome, check results and
//! summary metrics, and nothing else, so a 1,000-case sweep's rows stay small. The summaries
//! (`summary.csv`, `summary.md`, `junit.xml`) are written from these lines, in case order, both by
//! `pumprig sweep` and by `pumprig merge`: the same lines give byte-identical summaries.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::metrics::MetricsReport;

use super::plan::Case;

/// A case's overall outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every check passed, none marginal.
    Pass,
    /// Every check passed, at least one outside its marginal band.
    Marginal,
    /// A check failed.
    Fail,
    /// The run stopped on a fault (plant, controller crash, output) or could not start.
    Error,
}

impl Outcome {
    /// `PASS`, `MARGINAL`, `FAIL`, `ERROR`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Marginal => "MARGINAL",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
        }
    }

    /// Whether the case counts as passed (marginal passes).
    pub fn passed(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Marginal)
    }
}

/// One swept key's value in a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowParam {
    pub key: String,
    pub short: String,
    /// As TOML (`150`, `"expression"`).
    pub value: String,
    /// The first key of its grid axis.
    pub lead: bool,
}

/// One check's result in a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
    pub name: String,
    pub unit: String,
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub marginal_min: Option<f64>,
    pub marginal_max: Option<f64>,
    pub pass: bool,
    pub marginal: bool,
    pub message: String,
}

/// One case of a sweep, as `cases.jsonl` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    /// Position in the sweep's case order, from 0.
    pub index: usize,
    pub id: String,
    pub params: Vec<RowParam>,
    pub outcome: Outcome,
    /// Why the run stopped, for [`Outcome::Error`].
    pub error: Option<String>,
    pub checks: Vec<RowCheck>,
    /// The run's summary metrics (`record.json`'s `metrics`).
    pub metrics: BTreeMap<String, f64>,
}

impl CaseRow {
    /// The row of a case whose run went to its end.
    pub fn finished(case: &Case, report: &MetricsReport) -> Self {
        let checks: Vec<RowCheck> = report
            .checks
            .iter()
            .map(|c| RowCheck {
                name: c.name.clone(),
                unit: c.unit.clone(),
                value: c.value,
                min: c.min,
                max: c.max,
                marginal_min: c.marginal_min,
                marginal_max: c.marginal_max,
                pass: c.pass,
                marginal: c.marginal,
                message: c.message.clone(),
            })
            .collect();
        let outcome = if checks.iter().any(|c| !c.pass) {
            Outcome::Fail
        } else if checks.iter().any(|c| c.marginal) {
            Outcome::Marginal
        } else {
            Outcome::Pass
        };
        Self {
            index: case.index,
            id: case.id.clone(),
            params: params(case),
            outcome,
            error: None,
            checks,
            metrics: report.summary.clone(),
        }
    }

    /// The row of a single run (`pumprig run`: no sweep, no parameters).
    pub fn single_run(name: &str, report: &MetricsReport) -> Self {
        let case = Case {
            index: 0,
            id: name.to_owned(),
            params: Vec::new(),
        };
        Self::finished(&case, report)
    }

    /// The row of a case whose run stopped on a fault.
    pub fn errored(case: &Case, error: String) -> Self {
        Self {
            index: case.index,
            id: case.id.clone(),
            params: params(case),
            outcome: Outcome::Error,
            error: Some(error),
            checks: Vec::new(),
            metrics: BTreeMap::new(),
        }
    }

    /// The row as one JSON line (with its newline).
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).expect("a row serializes");
        s.push('\n');
        s
    }
}

fn params(case: &Case) -> Vec<RowParam> {
    case.params
        .iter()
        .map(|p| RowParam {
            key: p.key.clone(),
            short: p.short.clone(),
            value: p.value.clone(),
            lead: p.lead,
        })
        .collect()
}

/// Reads `cases.jsonl`; a line that does not parse is an error naming the file and line.
pub fn read_rows(path: &Path) -> io::Result<Vec<CaseRow>> {
    let file = std::fs::File::open(path)?;
    let mut rows = Vec::new();
    for (i, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}:{}: not a case row: {e}", path.display(), i + 1),
            )
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// Writes rows as `cases.jsonl`, one line each, in the order given.
pub fn write_rows(mut out: impl Write, rows: &[CaseRow]) -> io::Result<()> {
    for r in rows {
        out.write_all(r.to_line().as_bytes())?;
    }
    out.flush()
}
