//! Sweeps: one scenario run over a grid of parameter values (`[sweep]`, docs/scenarios.md), in
//! parallel, sharded across CI machines, merged back into one summary.
//!
//! [`prepare`] reads the `[sweep]` table into a [`SweepPlan`], selects the cases of a shard and
//! filter, and loads every case of the sweep through the scenario loader before anything runs (a
//! bad value in any case is bad input, reported at its line). [`run`] runs the selected cases
//! into a sweep directory:
//!
//! ```text
//! DIR/cases/<id>/record.json      each case's run directory (+ timeseries.csv and plots on request;
//!                                 a course case: its course directory, course.json and all)
//! DIR/cases.jsonl                 one row per case, in case order (what the summaries are made of)
//! DIR/summary.csv, summary.md     every case: parameters, check values and outcomes, metrics
//! DIR/junit.xml                   one test suite per case, one test case per check
//! DIR/sweep.json                  the manifest: scenario, hash, case count, shard, filter
//! DIR/sweep-*.png, sweep-*.svg    sweep plots: each check against each numeric key, heatmaps,
//!                                 a pass/fail map (output::plots::sweep)
//! ```
//!
//! [`merge`] combines shard directories into the same files, byte for byte, as one unsharded run
//! (the plots' SVG included).

mod engine;
mod manifest;
mod merge;
mod plan;
mod pool;
mod progress;
mod row;
mod select;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub use engine::{NOTABLE_KEPT, Progress, Quiet, SweepOptions, SweepOutcome, run};
pub use manifest::{Manifest, ManifestCheck, ManifestKey};
pub use merge::{MergeOutcome, merge};
pub use plan::{Case, MAX_CASES, Param, SweepPlan};
pub(crate) use pool::map_indexed;
pub use progress::ConsoleProgress;
pub use row::{CaseRow, Outcome, RowCheck, RowParam, RowStore, Tally};
pub use select::{Shard, select};

use crate::output::{junit, summary};
use crate::scenario::{LoadedScenario, ScenarioError};

/// Why a sweep or a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario or one of its cases is bad input (nothing was run or written).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{0}: the scenario has no [sweep] table; `pumprig run` runs it as it is")]
    NoSweep(PathBuf),
    #[error("no case of the sweep's {total} matches {what}")]
    NoCases { total: usize, what: String },
    /// The controller of the first case cannot be built (a C library missing, say).
    #[error("{path}: {message}")]
    Controller { path: PathBuf, message: String },
    #[error("output directory {path}: {source}")]
    OutputPath {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Drawing the sweep plots failed.
    #[error("plotting the sweep: {0}")]
    Plot(#[from] crate::output::plots::PlotError),
    /// Shard directories that do not make one sweep.
    #[error("cannot merge: {0}")]
    Merge(String),
}

impl SweepError {
    /// Bad input or usage (exit code 2), as opposed to a failure while writing (1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, SweepError::Io { .. } | SweepError::Plot(_))
    }
}

/// A sweep ready to run: its plan, the selected cases (indices, in case order) and the manifest
/// of their directory.
pub struct Prepared {
    pub plan: SweepPlan,
    pub cases: Vec<usize>,
    pub manifest: Manifest,
}

/// Reads the sweep of `loaded`, selects the cases of `shard` matching `filters`, checks every
/// case of the sweep (all problems, each at its sweep value), and builds the first selected
/// case's controller to see that it can run (a C firmware library that does not exist, say).
pub fn prepare(
    loaded: &LoadedScenario,
    shard: Option<Shard>,
    filters: &[String],
) -> Result<Prepared, SweepError> {
    let plan = SweepPlan::from_scenario(loaded)?
        .ok_or_else(|| SweepError::NoSweep(loaded.path.clone()))?;
    plan.validate(plan.cases())?;
    let cases: Vec<usize> = select(&plan, shard, filters).map(|c| c.index).collect();
    if cases.is_empty() {
        let mut what = Vec::new();
        if let Some(s) = shard {
            what.push(format!("shard {s}"));
        }
        if !filters.is_empty() {
            what.push(format!("--case {}", filters.join(" --case ")));
        }
        return Err(SweepError::NoCases {
            total: plan.len(),
            what: what.join(" and "),
        });
    }
    let first = plan.load_case(&plan.case(cases[0]))?;
    if let Err(e) = crate::session::build_controller(&first) {
        return Err(SweepError::Controller {
            path: loaded.path.clone(),
            message: e.to_string(),
        });
    }
    let sc = &loaded.scenario;
    let manifest = Manifest {
        pumprig_version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.name.clone(),
        scenario_file: loaded
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        scenario_hash: loaded.source_hash(),
        total_cases: plan.len(),
        cases: cases.len(),
        shard,
        filter: filters.to_vec(),
        keys: plan
            .keys()
            .into_iter()
            .map(|(key, short, lead)| ManifestKey { key, short, lead })
            .collect(),
        // A course case's checks are its course's (and one for its sessions' checks).
        checks: match &sc.course {
            Some(course) => CaseRow::course_check_columns(course, sc.checks.len())
                .into_iter()
                .map(|(name, unit)| ManifestCheck { name, unit })
                .collect(),
            None => sc
                .checks
                .iter()
                .map(|c| ManifestCheck {
                    name: c.name.clone(),
                    unit: c.unit.clone(),
                })
                .collect(),
        },
    };
    Ok(Prepared {
        plan,
        cases,
        manifest,
    })
}

/// The end of a sweep (and all of a merge): writes `cases.jsonl`, `summary.csv`, `summary.md`,
/// `junit.xml`, `sweep.json` and the sweep plots (`sweep-*.png`/`.svg`) into `dir` from the rows
/// of `store`, in case order, streaming. Each text file is one piece of work (its own pass over
/// the rows) and each plot file another, on up to `jobs` threads: the files are the same bytes
/// for any `jobs`. The first failure in that order is the one reported.
pub fn write_summaries(
    dir: &Path,
    manifest: &Manifest,
    store: &RowStore,
    jobs: usize,
) -> Result<(), SweepError> {
    let plots = crate::output::plots::sweep::SweepPlots::read(manifest, store, dir)?;
    // The text files first: for a large sweep they are the longest pieces, and starting them
    // first keeps the other threads busy with plots until the end.
    map_indexed(
        jobs,
        TextFile::ALL.len() + plots.files(),
        |piece| match TextFile::ALL.get(piece) {
            Some(&file) => write_text(dir, manifest, store, file),
            None => plots
                .draw(piece - TextFile::ALL.len(), dir)
                .map(drop)
                .map_err(SweepError::from),
        },
    )
    .into_iter()
    .collect()
}

/// The text files of a sweep directory, each written in one pass over the rows.
#[derive(Clone, Copy)]
enum TextFile {
    /// `cases.jsonl`, and `sweep.json` (one small write) with it.
    Rows,
    Csv,
    Markdown,
    Junit,
}

impl TextFile {
    const ALL: [TextFile; 4] = [
        TextFile::Rows,
        TextFile::Csv,
        TextFile::Markdown,
        TextFile::Junit,
    ];
}

fn write_text(
    dir: &Path,
    manifest: &Manifest,
    store: &RowStore,
    file: TextFile,
) -> Result<(), SweepError> {
    let create = |name: &str| {
        let path = dir.join(name);
        fs::File::create(&path)
            .map(BufWriter::new)
            .map_err(|source| SweepError::Io { path, source })
    };
    let io = |name: &str| {
        let path = dir.join(name);
        move |source| SweepError::Io { path, source }
    };
    match file {
        TextFile::Rows => {
            let mut jsonl = create("cases.jsonl")?;
            store
                .for_each(&mut |r| jsonl.write_all(r.to_line().as_bytes()))
                .and_then(|()| jsonl.flush())
                .map_err(io("cases.jsonl"))?;
            fs::write(dir.join(Manifest::FILE), manifest.to_json()).map_err(io(Manifest::FILE))
        }
        TextFile::Csv => {
            summary::write_csv(create("summary.csv")?, manifest, store).map_err(io("summary.csv"))
        }
        TextFile::Markdown => summary::write_markdown(create("summary.md")?, manifest, store)
            .map_err(io("summary.md")),
        TextFile::Junit => {
            let mut xml = create("junit.xml")?;
            let t = &store.tally;
            junit::write_header(
                &mut xml,
                &format!("pumprig sweep {}", manifest.scenario),
                (t.junit_tests, t.junit_failures, t.junit_errors),
            )
            .and_then(|()| {
                store.for_each(&mut |r| {
                    junit::write_suite(
                        &mut xml,
                        &junit::Suite {
                            name: format!("{}/{}", manifest.scenario, r.id),
                            classname: format!("{}.{}", manifest.scenario, r.id),
                            properties: r
                                .params
                                .iter()
                                .map(|p| (p.key.clone(), p.value.clone()))
                                .collect(),
                            row: r,
                        },
                    )
                })
            })
            .and_then(|()| junit::write_footer(&mut xml))
            .map_err(io("junit.xml"))
        }
    }
}
