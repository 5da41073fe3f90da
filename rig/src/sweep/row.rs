//! One line per case of a sweep (`cases.jsonl`): its parameters, outcome, check results and
//! summary metrics, and nothing else, so a 1,000-case sweep's rows stay small. The summaries
//! (`summary.csv`, `summary.md`, `junit.xml`) are written from these lines, in case order, both by
//! `pumprig sweep` and by `pumprig merge`: the same lines give byte-identical summaries.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

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

/// The check a course case adds when its scenario has session `[[checks]]`: (name, unit).
const SESSIONS_CHECK: (&str, &str) = (
    "every pump session passes the scenario's checks",
    "sessions",
);

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
        Self::judged(case, checks, report.summary.clone())
    }

    /// A finished case's row: its outcome is its checks' (a failed one fails it, a marginal one
    /// marks it).
    fn judged(case: &Case, checks: Vec<RowCheck>, metrics: BTreeMap<String, f64>) -> Self {
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
            metrics,
        }
    }

    /// The check columns of a course case, in row order: `(name, unit)`.
    pub fn course_check_columns(
        spec: &crate::course::CourseSpec,
        session_checks: usize,
    ) -> Vec<(String, String)> {
        let mut columns: Vec<(String, String)> = spec
            .checks
            .iter()
            .map(|c| (c.name.clone(), c.unit.clone()))
            .collect();
        if session_checks > 0 {
            columns.push((SESSIONS_CHECK.0.into(), SESSIONS_CHECK.1.into()));
        }
        columns
    }

    /// The row of a case whose scenario is a course: its `[[course.checks]]`, and when the
    /// scenario has session `[[checks]]` one more check that every pump session passed them.
    pub fn finished_course(
        case: &Case,
        course: &crate::course::FinishedCourse,
        spec: &crate::course::CourseSpec,
        session_checks: usize,
    ) -> Self {
        let mut checks: Vec<RowCheck> = course
            .checks
            .iter()
            .map(|c| RowCheck {
                name: c.name.clone(),
                unit: c.unit.clone(),
                value: c.value,
                min: c.min,
                max: c.max,
                marginal_min: None,
                marginal_max: None,
                pass: c.pass,
                marginal: false,
                message: c.message.clone(),
            })
            .collect();
        if session_checks > 0 {
            let failed = course.sessions_failed();
            let pumped = course
                .run
                .sessions
                .iter()
                .filter(|s| s.kind == crate::course::SessionKind::Pump)
                .count();
            checks.push(RowCheck {
                name: SESSIONS_CHECK.0.into(),
                unit: SESSIONS_CHECK.1.into(),
                value: Some(failed as f64),
                min: None,
                max: Some(0.0),
                marginal_min: None,
                marginal_max: None,
                pass: failed == 0,
                marginal: false,
                message: format!(
                    "{failed} of {pumped} pump session(s) failed one of the scenario's {session_checks} check(s) (sessions.csv)"
                ),
            });
        }
        Self::judged(case, checks, crate::course::summary(&course.run, spec))
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

/// What the summaries need to know before their rows: counts of each outcome, the metric
/// columns, and the JUnit totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub cases: usize,
    pub pass: usize,
    pub marginal: usize,
    pub fail: usize,
    pub error: usize,
    /// Every summary metric any case reported (the CSV's metric columns).
    pub metrics: BTreeSet<String>,
    /// JUnit test cases (one per check; one for a run that stopped), failures and errors.
    pub junit_tests: usize,
    pub junit_failures: usize,
    pub junit_errors: usize,
}

impl Tally {
    pub fn add(&mut self, row: &CaseRow) {
        self.cases += 1;
        match row.outcome {
            Outcome::Pass => self.pass += 1,
            Outcome::Marginal => self.marginal += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
        }
        for m in row.metrics.keys() {
            if !self.metrics.contains(m) {
                self.metrics.insert(m.clone());
            }
        }
        let (tests, failures, errors) = row.junit_counts();
        self.junit_tests += tests;
        self.junit_failures += failures;
        self.junit_errors += errors;
    }

    /// Whether every case passed (marginal passes).
    pub fn passed(&self) -> bool {
        self.fail + self.error == 0
    }
}

impl CaseRow {
    /// (tests, failures, errors) of this row in JUnit terms.
    pub fn junit_counts(&self) -> (usize, usize, usize) {
        if self.outcome == Outcome::Error {
            (self.checks.len().max(1), 0, 1)
        } else {
            (
                self.checks.len(),
                self.checks.iter().filter(|c| !c.pass).count(),
                0,
            )
        }
    }
}

/// Rows kept in `cases.jsonl`-style files (one JSON line per case, any order, one or several
/// files) and read back in case order: memory holds a few numbers per case, never the rows, so it
/// stays flat in the number of cases.
#[derive(Debug)]
pub struct RowStore {
    files: Vec<PathBuf>,
    /// (case index, file, byte offset, length), sorted by case index.
    entries: Vec<(usize, u32, u64, u32)>,
    /// Rows per file, in `files` order.
    per_file: Vec<usize>,
    pub tally: Tally,
}

impl RowStore {
    /// Reads every line of `files` once: the index and the tally.
    pub fn open(files: &[PathBuf]) -> io::Result<Self> {
        let mut entries = Vec::new();
        let mut per_file = Vec::new();
        let mut tally = Tally::default();
        for (f, path) in files.iter().enumerate() {
            let mut reader = io::BufReader::new(File::open(path)?);
            let mut line = String::new();
            let (mut offset, mut n, mut line_no) = (0u64, 0usize, 0usize);
            loop {
                line.clear();
                let len = reader.read_line(&mut line)?;
                if len == 0 {
                    break;
                }
                line_no += 1;
                if !line.trim().is_empty() {
                    let row = parse(&line, path, line_no)?;
                    tally.add(&row);
                    entries.push((row.index, f as u32, offset, len as u32));
                    n += 1;
                }
                offset += len as u64;
            }
            per_file.push(n);
        }
        entries.sort_by_key(|e| e.0);
        Ok(Self {
            files: files.to_vec(),
            entries,
            per_file,
            tally,
        })
    }

    /// Rows in each file, in the order the files were given.
    pub fn per_file(&self) -> &[usize] {
        &self.per_file
    }

    /// A case index held twice, if any.
    pub fn duplicate(&self) -> Option<usize> {
        self.entries
            .windows(2)
            .find(|w| w[0].0 == w[1].0)
            .map(|w| w[0].0)
    }

    /// Calls `f` with every row, in case order.
    pub fn for_each(&self, f: &mut dyn FnMut(&CaseRow) -> io::Result<()>) -> io::Result<()> {
        let mut readers = self
            .files
            .iter()
            .map(File::open)
            .collect::<io::Result<Vec<_>>>()?;
        let mut buf = Vec::new();
        for &(_, file, offset, len) in &self.entries {
            let r = &mut readers[file as usize];
            r.seek(SeekFrom::Start(offset))?;
            buf.resize(len as usize, 0);
            r.read_exact(&mut buf)?;
            let line = String::from_utf8_lossy(&buf);
            f(&parse(&line, &self.files[file as usize], 0)?)?;
        }
        Ok(())
    }
}

fn parse(line: &str, path: &Path, line_no: usize) -> io::Result<CaseRow> {
    serde_json::from_str(line).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}:{line_no}: not a case row: {e}", path.display()),
        )
    })
}
