//! `pumprig merge`: the shards of one sweep (each a sweep directory written with `--shard K/N`)
//! into one directory whose `cases.jsonl`, `summary.csv`, `summary.md`, `junit.xml` and
//! `sweep.json` are byte-identical to the unsharded sweep's. Refuses shards of different sweeps
//! (scenario hash, case count, filter, keys, checks), a missing or repeated shard, and a case held
//! twice. The case run directories stay in the shard directories.

use std::path::{Path, PathBuf};

use crate::output::run_dir::StagedDir;

use super::engine::failed_rows;
use super::manifest::Manifest;
use super::row::{CaseRow, RowStore, Tally};
use super::{SweepError, write_summaries};

/// The merged directory, its counts and its first failing cases (as [`SweepOutcome`](super::SweepOutcome)).
#[derive(Debug)]
pub struct MergeOutcome {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub tally: Tally,
    pub failed: Vec<CaseRow>,
}

/// Merges the sweep directories `dirs` into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutcome, SweepError> {
    let bad = |m: String| SweepError::Merge(m);
    if dirs.is_empty() {
        return Err(bad("give the shard directories to merge".into()));
    }
    StagedDir::check_target(out).map_err(|source| SweepError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    let mut parts = Vec::new();
    for d in dirs {
        parts.push((d, Manifest::read(d).map_err(bad)?));
    }
    let files: Vec<PathBuf> = dirs.iter().map(|d| d.join("cases.jsonl")).collect();
    let store = RowStore::open(&files).map_err(|e| bad(format!("reading the case rows: {e}")))?;
    for ((d, m), &n) in parts.iter().zip(store.per_file()) {
        if n != m.cases {
            return Err(bad(format!(
                "{}: sweep.json says {} case(s), cases.jsonl holds {n}",
                d.display(),
                m.cases,
            )));
        }
    }
    let (first_dir, first) = &parts[0];
    for (d, m) in &parts[1..] {
        let same = m.scenario_hash == first.scenario_hash
            && m.total_cases == first.total_cases
            && m.filter == first.filter
            && m.keys == first.keys
            && m.checks == first.checks;
        if !same {
            return Err(bad(format!(
                "{} and {} are not shards of the same sweep (scenario {} {} with {} case(s) and filter {:?}, against {} {} with {} and {:?})",
                first_dir.display(),
                d.display(),
                first.scenario_file,
                first.scenario_hash,
                first.total_cases,
                first.filter,
                m.scenario_file,
                m.scenario_hash,
                m.total_cases,
                m.filter
            )));
        }
    }
    // The shards: all of 1..=N once, or a single unsharded directory.
    match parts
        .iter()
        .map(|(_, m)| m.shard)
        .collect::<Option<Vec<_>>>()
    {
        None if parts.len() == 1 => {}
        None => {
            return Err(bad(
                "an unsharded sweep directory can only be merged on its own".into(),
            ));
        }
        Some(shards) => {
            let n = shards[0].n;
            if let Some(s) = shards.iter().find(|s| s.n != n) {
                return Err(bad(format!("shard {s} does not belong with shards of {n}")));
            }
            let mut seen = vec![0usize; n];
            for s in &shards {
                seen[s.k - 1] += 1;
            }
            let missing: Vec<String> = (1..=n)
                .filter(|k| seen[k - 1] == 0)
                .map(|k| format!("{k}/{n}"))
                .collect();
            if let Some(k) = (1..=n).find(|k| seen[k - 1] > 1) {
                return Err(bad(format!("shard {k}/{n} is given twice")));
            }
            if !missing.is_empty() {
                return Err(bad(format!("missing shard(s): {}", missing.join(", "))));
            }
        }
    }
    if let Some(index) = store.duplicate() {
        return Err(bad(format!("case {} is in two shards", index + 1)));
    }
    let mut manifest = first.clone();
    manifest.shard = None;
    manifest.cases = store.tally.cases;
    let stage = StagedDir::create(out).map_err(|source| SweepError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    // `pumprig merge` has no --jobs: the summaries and plots on every core.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    write_summaries(stage.path(), &manifest, &store, jobs)?;
    let failed = failed_rows(&store).map_err(|source| SweepError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let dir = stage.commit().map_err(|source| SweepError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(MergeOutcome {
        dir,
        manifest,
        tally: store.tally,
        failed,
    })
}
