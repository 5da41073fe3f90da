//! Golden baselines: a run saved as the reference (`pumprig baseline save RUN DIR`), and later
//! runs of a scenario with a `[baseline]` table compared with it signal by signal, with
//! absolute, relative and lead/lag tolerances as Simulink's Data Inspector applies them
//! ([`band`] states the rules). A signal that leaves its band is a failed check: it names the
//! signal, the time, how far it was outside and the values there, and an overlay plot of run,
//! baseline and band is written (`baseline-<signal>.png/.svg`). The result goes into
//! `record.json` (`baseline`), `baseline.json`, `junit.xml` and the printed report.

pub mod band;
mod check;
mod save;
mod spec;

use std::path::PathBuf;

pub use check::{BaselineReport, Compared, SignalReport, compare_run};
pub use save::{MANIFEST_VERSION, Manifest, Saved, save};
pub use spec::{BaselineSpec, SignalSpec, column_unit};

pub(crate) use spec::problems;

/// A baseline directory's files: the run's time series and record, and where they came from.
pub const TIMESERIES: &str = "timeseries.csv";
pub const RECORD: &str = "record.json";
pub const MANIFEST: &str = "manifest.json";
/// The comparison's result in a run directory.
pub const RESULT: &str = "baseline.json";

/// Saving or comparing with a baseline failed.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// A path given is not what it must be (not a run directory, no time series, not a
    /// baseline): bad input, nothing written.
    #[error("{}: {reason}", path.display())]
    BadInput { path: PathBuf, reason: String },
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("plotting: {0}")]
    Plot(#[from] crate::output::plots::PlotError),
}

impl BaselineError {
    /// Whether this is the user's input (exit code 2) rather than a failure to write (1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, BaselineError::BadInput { .. })
    }
}

/// `pumprig baseline save RUN DIR`: saves, prints what was kept, returns the exit code.
pub fn save_command(run: &std::path::Path, dir: &std::path::Path) -> i32 {
    use crate::exit_code;
    match save(run, dir) {
        Ok(saved) => {
            let m = &saved.manifest;
            let controller = |k: &str| {
                m.controller
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .to_owned()
            };
            println!(
                "saved baseline {}: {} rows over {:.2}–{:.2} s, {} columns, from {} (scenario \
                 \"{}\", controller {} {} ({}), build {})",
                saved.dir.display(),
                m.rows,
                m.span_s[0],
                m.span_s[1],
                m.columns.len().saturating_sub(1),
                m.source_run,
                m.scenario,
                controller("name"),
                controller("version"),
                controller("adapter"),
                controller("build_id"),
            );
            println!(
                "name it in the scenario: [baseline] dir = \"…/{}\" with [baseline.signals.<column>] tolerances",
                saved
                    .dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            exit_code::OK
        }
        Err(e) => {
            eprintln!("error: {e}; nothing was written to {}", dir.display());
            if e.is_bad_input() {
                exit_code::BAD_INPUT
            } else {
                exit_code::FAILED
            }
        }
    }
}
