//! `pumprig baseline save RUN DIR`: a run's curves and record kept as the golden reference later
//! runs are compared with. The directory appears complete or not at all (`StagedDir`), and its
//! bytes depend only on the run directory and the command (no dates), so saving the same run
//! twice gives the same files and a baseline committed to git changes only when the run did.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{BaselineError, MANIFEST, RECORD, TIMESERIES};
use crate::output::plots::TimeSeries;
use crate::output::run_dir::StagedDir;

/// Format version of `manifest.json`.
pub const MANIFEST_VERSION: u32 = 1;

/// `manifest.json` of a baseline directory: where it came from and what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub pumprig_baseline: u32,
    /// The run directory it was saved from, as given to `pumprig baseline save`.
    pub source_run: String,
    /// The scenario's name, file name and the hash of its text.
    pub scenario: String,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub seed: u64,
    /// Who was in the loop (`record.json`'s `controller`: adapter, name, version, build id).
    pub controller: serde_json::Value,
    /// Rows of `timeseries.csv` and the time span they cover, s.
    pub rows: usize,
    pub span_s: [f64; 2],
    /// The columns of `timeseries.csv`.
    pub columns: Vec<String>,
}

/// What `save` wrote.
#[derive(Debug)]
pub struct Saved {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// Copies `timeseries.csv` and `record.json` of the run directory `run` into the baseline
/// directory `dir` (replacing an earlier baseline there) with a `manifest.json`.
///
/// Refused as bad input: a `run` without `record.json` (not a run directory) or without
/// `timeseries.csv` (a sweep case run without `--timeseries`), a time series that cannot be read,
/// and a `dir` that exists, is not empty and is not a baseline (it would be replaced).
pub fn save(run: &Path, dir: &Path) -> Result<Saved, BaselineError> {
    let bad = |path: &Path, reason: String| BaselineError::BadInput {
        path: path.to_path_buf(),
        reason,
    };
    if !run.is_dir() {
        return Err(bad(
            run,
            "is not a run directory (no such directory)".into(),
        ));
    }
    let record_path = run.join(RECORD);
    if !record_path.is_file() {
        return Err(bad(
            run,
            format!("is not a run directory: it has no {RECORD} (write one with `pumprig run`)"),
        ));
    }
    let csv_path = run.join(TIMESERIES);
    if !csv_path.is_file() {
        return Err(bad(
            run,
            format!(
                "has no {TIMESERIES} to keep as a baseline (a sweep case writes it with \
                 `--timeseries`)"
            ),
        ));
    }
    let record_text =
        fs::read_to_string(&record_path).map_err(|e| bad(&record_path, e.to_string()))?;
    let record: serde_json::Value = serde_json::from_str(&record_text)
        .map_err(|e| bad(&record_path, format!("is not a pumprig record: {e}")))?;
    let field = |name: &str| record.get(name).cloned().unwrap_or(serde_json::Value::Null);
    let text = |name: &str| field(name).as_str().unwrap_or_default().to_owned();
    let series = TimeSeries::read_csv(&csv_path).map_err(|e| bad(&csv_path, e.to_string()))?;
    let time = series
        .column("time_s")
        .ok_or_else(|| bad(&csv_path, "has no `time_s` column".into()))?;
    let (Some(&first), Some(&last)) = (time.first(), time.last()) else {
        return Err(bad(&csv_path, "has no data rows".into()));
    };
    let manifest = Manifest {
        pumprig_baseline: MANIFEST_VERSION,
        source_run: run.display().to_string(),
        scenario: field("resolved")
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_owned(),
        scenario_file: text("scenario_file"),
        scenario_hash: text("scenario_hash"),
        seed: field("seed").as_u64().unwrap_or_default(),
        controller: field("controller"),
        rows: series.len(),
        span_s: [first, last],
        columns: series.column_names().map(str::to_owned).collect(),
    };

    if same_dir(run, dir) {
        return Err(bad(
            dir,
            "is the run directory itself: choose another".into(),
        ));
    }
    if dir.is_dir() && !dir.join(MANIFEST).is_file() {
        let empty = fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
        if !empty {
            return Err(bad(
                dir,
                format!(
                    "exists and is not a baseline (no {MANIFEST}): refusing to replace it; \
                     choose a new or empty directory"
                ),
            ));
        }
    }
    let stage = StagedDir::create(dir).map_err(|e| bad(dir, e.to_string()))?;
    let io = |path: PathBuf| move |source| BaselineError::Io { path, source };
    let to = stage.path();
    fs::copy(&csv_path, to.join(TIMESERIES)).map_err(io(csv_path.clone()))?;
    fs::write(to.join(RECORD), record_text.as_bytes()).map_err(io(to.join(RECORD)))?;
    let mut json = serde_json::to_string_pretty(&manifest).expect("a manifest serializes");
    json.push('\n');
    fs::write(to.join(MANIFEST), json).map_err(io(to.join(MANIFEST)))?;
    let dir = stage.commit().map_err(io(dir.to_path_buf()))?;
    Ok(Saved { dir, manifest })
}

/// True when both paths name the same existing directory.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
