//! `sweep.json`: what a sweep directory holds — which scenario (name, file, content hash), how
//! many cases the sweep has in all, which shard and filter selected the ones here, the swept keys
//! and the checks. `pumprig merge` reads it to refuse shards of different sweeps and to see that
//! every shard is there. No wall-clock time: the same sweep gives the same bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::select::Shard;

/// A swept key: full path and the short name used in ids and column headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestKey {
    pub key: String,
    pub short: String,
    /// A key that names the case: a `[sweep]` key, or the first key of a `[[sweep.zip]]` group
    /// with the next ones while it repeats a value (the others follow them).
    pub lead: bool,
}

/// A check of the scenario: name and unit (the summaries' column headers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestCheck {
    pub name: String,
    pub unit: String,
}

/// The contents of `sweep.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub pumprig_version: String,
    /// The scenario's `name`.
    pub scenario: String,
    /// The scenario file's name.
    pub scenario_file: String,
    /// `fnv1a64:` hash of the scenario file's text.
    pub scenario_hash: String,
    /// Cases in the whole sweep.
    pub total_cases: usize,
    /// Cases in this directory.
    pub cases: usize,
    /// The shard this directory holds (`None`: all shards, or a merge of them).
    pub shard: Option<Shard>,
    /// The `--case` filters that selected the cases (empty: none).
    pub filter: Vec<String>,
    pub keys: Vec<ManifestKey>,
    pub checks: Vec<ManifestCheck>,
}

impl Manifest {
    pub const FILE: &'static str = "sweep.json";

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a manifest serializes");
        s.push('\n');
        s
    }

    /// Reads `DIR/sweep.json`.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(Self::FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: cannot read: {e} (is {} a sweep directory?)",
                path.display(),
                dir.display()
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a sweep manifest: {e}", path.display()))
    }
}
