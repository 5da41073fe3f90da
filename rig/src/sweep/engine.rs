//! Running a sweep's cases: in parallel on `jobs` threads (each case's run is deterministic and
//! independent, so the thread count changes nothing but the time), each into its own run
//! directory `cases/<id>/`, each row streamed into `cases.jsonl` as it finishes. A case that
//! fails a check or stops on a fault is recorded and the sweep goes on. At the end the rows are
//! put in case order and the summaries and plots written, on the same `jobs` threads
//! (`write_summaries`); the sweep directory appears complete or not at all.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::output::run_dir::StagedDir;
use crate::session::{self, OutputOptions};

use super::manifest::Manifest;
use super::plan::{Case, SweepPlan};
use super::row::{CaseRow, RowStore, Tally};
use super::{SweepError, write_summaries};

/// How to run a sweep.
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    /// Cases run at once (at least 1).
    pub jobs: usize,
    /// What each session case's run directory holds besides `record.json` (a course case always
    /// writes its course directory).
    pub outputs: OutputOptions,
}

/// Receives the sweep's progress (a progress bar, plain lines for CI logs, nothing in tests).
/// Called from the worker threads, one call at a time.
pub trait Progress: Sync {
    fn start(&self, _cases: usize, _jobs: usize) {}
    /// Case `row` finished; `done` of `total` are.
    fn finished(&self, _row: &CaseRow, _done: usize, _total: usize) {}
    fn end(&self) {}
}

/// No progress reports.
pub struct Quiet;
impl Progress for Quiet {}

/// At most this many failing cases are kept for the console; the summaries list every one.
pub const NOTABLE_KEPT: usize = 100;

/// A finished sweep: where it is, the counts, and the first failing or erroring cases (at most
/// [`NOTABLE_KEPT`], in case order) for the console.
#[derive(Debug)]
pub struct SweepOutcome {
    pub dir: PathBuf,
    pub tally: Tally,
    pub failed: Vec<CaseRow>,
}

impl SweepOutcome {
    /// Whether every case passed (marginal passes).
    pub fn passed(&self) -> bool {
        self.tally.passed()
    }
}

/// The first [`NOTABLE_KEPT`] failing or erroring rows of `store`, in case order.
pub(crate) fn failed_rows(store: &RowStore) -> std::io::Result<Vec<CaseRow>> {
    let mut kept = Vec::new();
    store.for_each(&mut |r| {
        if !r.outcome.passed() && kept.len() < NOTABLE_KEPT {
            kept.push(r.clone());
        }
        Ok(())
    })?;
    Ok(kept)
}

/// Runs the cases of `plan` at `cases` (case indices) into the sweep directory `out` (replaced
/// as a whole at the end). Memory holds a few numbers per case, not the cases' rows.
pub fn run(
    plan: &SweepPlan,
    cases: &[usize],
    manifest: &Manifest,
    out: &Path,
    options: SweepOptions,
    progress: &dyn Progress,
) -> Result<SweepOutcome, SweepError> {
    let stage = StagedDir::create(out).map_err(|source| SweepError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SweepError::Io { path, source }
    };
    let cases_dir = stage.path().join("cases");
    fs::create_dir(&cases_dir).map_err(io(&cases_dir))?;
    let partial = stage.path().join("cases.jsonl.partial");
    let file = File::create(&partial).map_err(io(&partial))?;
    // The rows file and how many cases are done; the first write error stops the recording.
    let sink = Mutex::new((BufWriter::new(file), 0usize, None::<std::io::Error>));
    let next = AtomicUsize::new(0);
    let jobs = options.jobs.clamp(1, cases.len().max(1));
    progress.start(cases.len(), jobs);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&index) = cases.get(i) else { break };
                    let case = plan.case(index);
                    // A panic in one case (a bug) is that case's error, not the sweep's end.
                    let row = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_case(plan, &case, &cases_dir, options.outputs)
                    }))
                    .unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "unknown panic".into());
                        CaseRow::errored(&case, format!("pumprig panicked in this case: {what}"))
                    });
                    let mut guard = sink.lock().unwrap_or_else(|p| p.into_inner());
                    let (w, done, err) = &mut *guard;
                    if err.is_none() {
                        if let Err(e) = w.write_all(row.to_line().as_bytes()) {
                            *err = Some(e);
                        }
                    }
                    *done += 1;
                    progress.finished(&row, *done, cases.len());
                }
            });
        }
    });
    progress.end();
    let (mut w, _, err) = sink.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = err {
        return Err(SweepError::Io {
            path: partial,
            source: e,
        });
    }
    w.flush().map_err(io(&partial))?;
    drop(w);
    let store = RowStore::open(std::slice::from_ref(&partial)).map_err(io(&partial))?;
    // The end on every thread the sweep was given, even when it had fewer cases than threads.
    write_summaries(stage.path(), manifest, &store, options.jobs.max(1))?;
    let failed = failed_rows(&store).map_err(io(&partial))?;
    fs::remove_file(&partial).map_err(io(&partial))?;
    let dir = stage.commit().map_err(io(out))?;
    Ok(SweepOutcome {
        dir,
        tally: store.tally,
        failed,
    })
}

/// One case into `cases_dir/<id>/`; whatever happens becomes its row.
fn run_case(plan: &SweepPlan, case: &Case, cases_dir: &Path, outputs: OutputOptions) -> CaseRow {
    let loaded = match plan.load_case(case) {
        Ok(l) => l,
        Err(e) => return CaseRow::errored(case, e.to_string()),
    };
    let dir = cases_dir.join(&case.id);
    // A course case writes its course directory (daily.csv, sessions.csv, course.json, plots).
    if let Some(spec) = &loaded.scenario.course {
        return match crate::course::run_course_to_dir(&loaded, &dir, |_| {}) {
            Ok(done) => CaseRow::finished_course(case, &done, spec, loaded.scenario.checks.len()),
            Err(e) => CaseRow::errored(case, e.to_string()),
        };
    }
    match session::run_to_dir_with(&loaded, &dir, outputs) {
        Ok(done) => CaseRow::finished(case, &done.metrics),
        Err(e) => CaseRow::errored(case, e.to_string()),
    }
}
