//! What a run writes: `timeseries.csv`, `record.json`, plots, into a run directory that appears
//! complete or not at all.

pub mod junit;
pub mod plots;
pub mod record;
pub mod run_dir;
pub mod summary;
pub mod timeseries;
