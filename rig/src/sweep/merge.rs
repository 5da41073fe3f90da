//! `pumprig merge`: the shards of one sweep (each a sweep directory written with `--shard K/N`)
//! into one directory whose `cases.jsonl`, `summary.csv`, `summary.md`, `junit.xml` and
//! `sweep.json` are byte-identical to the unsharded sweep's. Refuses shards of different sweeps
//! (scenario hash, case count, filter, keys, checks), a missing or repeated shard, and a case held
//! twice. The case run directories stay in the shard directories.

use std::path::{Path, PathBuf};

use crate::output::run_dir::StagedDir;

use super::manifest::Manifest;
use super::row::{CaseRow, read_rows};
use super::{SweepError, write_summaries};

/// The merged directory and its rows, in case order.
#[derive(Debug)]
pub struct MergeOutcome {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub rows: Vec<CaseRow>,
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
        let m = Manifest::read(d).map_err(bad)?;
        let rows = read_rows(&d.join("cases.jsonl"))
            .map_err(|e| bad(format!("{}: {e}", d.join("cases.jsonl").display())))?;
        if rows.len() != m.cases {
            return Err(bad(format!(
                "{}: sweep.json says {} case(s), cases.jsonl holds {}",
                d.display(),
                m.cases,
                rows.len()
            )));
        }
        parts.push((d, m, rows));
    }
    let (first_dir, first, _) = &parts[0];
    for (d, m, _) in &parts[1..] {
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
        .map(|(_, m, _)| m.shard)
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
    let mut manifest = first.clone();
    let mut rows: Vec<CaseRow> = parts.into_iter().flat_map(|(_, _, r)| r).collect();
    rows.sort_by_key(|r| r.index);
    if let Some(w) = rows.windows(2).find(|w| w[0].index == w[1].index) {
        return Err(bad(format!(
            "case {} ({}) is in two shards",
            w[0].index + 1,
            w[0].id
        )));
    }
    manifest.shard = None;
    manifest.cases = rows.len();
    let stage = StagedDir::create(out).map_err(|source| SweepError::OutputPath {
        path: out.to_path_buf(),
        source,
    })?;
    write_summaries(stage.path(), &manifest, &rows)?;
    let dir = stage.commit().map_err(|source| SweepError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(MergeOutcome {
        dir,
        manifest,
        rows,
    })
}
