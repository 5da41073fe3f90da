//! Scenarios: the TOML file a user writes — plant, controller and settings, a timeline of events,
//! checks — read, checked against every rule, and resolved for the runner.
//!
//! [`load`] either returns a [`LoadedScenario`] that is safe to run (every default filled in, the
//! timeline sorted, in integer nanoseconds) or a [`ScenarioError`] naming the file, line, key and
//! value. The format reference for users is docs/scenarios.md.

mod error;
mod events;
mod explain;
mod locate;
mod spec;
mod suggest;
mod validate;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use error::ScenarioError;
pub use events::{EventAction, TimedEvent};
pub use spec::{
    ButtonName, CONTROLLER_KINDS, ControllerSpec, DEFAULT_HOLD_MS, DEFAULT_SAMPLE_RATE_HZ,
    DEFAULT_SEED, DEFAULT_TICK_HZ, EventSpec, ISOLATIONS, LeakOnsetSpec, MAX_DURATION_S,
    OutputSpec, Scenario, SensorFaultName, SideName,
};

pub(crate) use locate::SourceMap;

/// A scenario read from a file, checked and resolved.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    /// The file it came from (as given: relative paths stay relative).
    pub path: PathBuf,
    /// The file's text, as read.
    pub source: String,
    /// Every key, defaults filled in.
    pub scenario: Scenario,
    /// The events, sorted by time (same-time events in file order), in integer nanoseconds.
    pub timeline: Vec<TimedEvent>,
}

impl LoadedScenario {
    /// The same scenario with another plant noise seed (`pumprig run --seed N`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.scenario.seed = seed;
        self
    }

    /// A stable hash of the file's text, `fnv1a64:` and 16 hex digits: tells edited scenarios
    /// apart in `record.json`. The same text gives the same hash on every machine and version.
    pub fn source_hash(&self) -> String {
        crate::output::record::content_hash(self.source.as_bytes())
    }
}

/// Reads, checks and resolves the scenario file at `path`.
pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::file(path, format!("cannot read scenario file: {e}")))?;
    load_str(path, &source)
}

/// Checks and resolves a scenario from its text; `path_for_messages` names it in errors and in
/// [`LoadedScenario::path`].
pub fn load_str(path_for_messages: &Path, source: &str) -> Result<LoadedScenario, ScenarioError> {
    let file = path_for_messages;
    let map = SourceMap::parse(source)
        .map_err(|e| explain::syntax(file, &SourceMap::lines_only(source), &e))?;
    let mut scenario: Scenario =
        toml::from_str(source).map_err(|e| explain::schema(file, &map, &e))?;
    validate::resolve_and_check(file, &map, &mut scenario)?;
    let timeline = events::timeline(&scenario.events);
    Ok(LoadedScenario {
        path: file.to_path_buf(),
        source: source.to_owned(),
        scenario,
        timeline,
    })
}
