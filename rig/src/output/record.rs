//! `record.json`: everything needed to know what ran and what came out — the resolved scenario
//! (every parameter, defaults filled in), seed, controller identity, metrics and check outcomes.
//! No wall-clock timestamps, so the same inputs give a byte-identical record.

use serde::Serialize;

use crate::baseline::BaselineReport;
use crate::controller::{ControllerIdentity, LinkHealth};
use crate::metrics::{CheckOutcome, MetricsReport};
use crate::scenario::{LoadedScenario, Scenario};

/// Identifies the content of a file in `record.json` (scenario text, firmware library):
/// `fnv1a64:` and 16 hex digits. FNV-1a is small, specified, and stable across platforms and Rust
/// versions; it tells versions apart, it is not a security measure.
pub fn content_hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("fnv1a64:{h:016x}")
}

#[derive(Serialize)]
pub struct RunRecord<'a> {
    pub pumprig_version: &'static str,
    pub scenario_file: String,
    /// Hash of the scenario file's text, to tell edited scenarios apart.
    pub scenario_hash: String,
    pub seed: u64,
    pub controller: ControllerIdentity,
    pub simulated_s: f64,
    pub ticks: u64,
    pub tick_ns: u64,
    pub passed: bool,
    pub checks: &'a [CheckOutcome],
    pub metrics: &'a std::collections::BTreeMap<String, f64>,
    pub outputs: Vec<&'static str>,
    /// A board on a serial link: what the link lost, repeated and recovered, and its round-trip
    /// times (wall clock: the one part of a record that differs between identical runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_health: Option<LinkHealth>,
    /// The `fw_` columns of `timeseries.csv`: the firmware's own named telemetry values (C ABI).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub firmware_telemetry: Vec<String>,
    /// The comparison with the scenario's `[baseline]`: per signal pass, the worst point, the
    /// values and the tolerance there (also in `baseline.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a BaselineReport>,
    /// The scenario as run: every plant parameter and controller setting, defaults resolved.
    pub resolved: &'a Scenario,
}

impl<'a> RunRecord<'a> {
    pub fn new(
        loaded: &'a LoadedScenario,
        controller: ControllerIdentity,
        metrics: &'a MetricsReport,
        ticks: u64,
        tick_ns: u64,
        outputs: Vec<&'static str>,
    ) -> Self {
        Self {
            pumprig_version: env!("CARGO_PKG_VERSION"),
            // The file name only: the same scenario run from another directory gives the same
            // record (the hash identifies the content).
            scenario_file: loaded
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            scenario_hash: loaded.source_hash(),
            seed: loaded.scenario.seed,
            controller,
            simulated_s: (u128::from(ticks) * u128::from(tick_ns)) as f64 / 1e9,
            ticks,
            tick_ns,
            passed: metrics.checks.iter().all(|c| c.pass),
            checks: &metrics.checks,
            metrics: &metrics.summary,
            outputs,
            link_health: None,
            firmware_telemetry: Vec::new(),
            baseline: None,
            resolved: &loaded.scenario,
        }
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self).map(|mut s| {
            s.push('\n');
            s
        })
    }
}
